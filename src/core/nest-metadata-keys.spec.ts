import { Inject, Module, UseInterceptors, type NestInterceptor } from '@nestjs/common';
import { NEST_METADATA } from './nest-metadata-keys';

// The keys are checked by what Nest's public decorators write under them, not by Nest's file layout.
describe('NEST_METADATA', () => {
  const interceptor: NestInterceptor = { intercept: (_context, next) => next.handle() };

  @Module({ imports: [] })
  class EmptyModule {}

  @UseInterceptors(interceptor)
  class Intercepted {}

  class Injected {
    @Inject('PROPERTY_TOKEN') readonly property?: unknown;
    constructor(@Inject('PARAMETER_TOKEN') readonly parameter: unknown) {}
  }

  it("names @Module's imports", () => {
    expect(Reflect.getMetadata(NEST_METADATA.moduleImports, EmptyModule)).toEqual([]);
  });

  it("names @UseInterceptors' list", () => {
    expect(Reflect.getMetadata(NEST_METADATA.interceptors, Intercepted)).toEqual([interceptor]);
  });

  it("names @Inject's constructor parameters and properties", () => {
    expect(Reflect.getMetadata(NEST_METADATA.constructorInjections, Injected)).toEqual([
      { index: 0, param: 'PARAMETER_TOKEN' },
    ]);
    expect(Reflect.getMetadata(NEST_METADATA.propertyInjections, Injected)).toEqual([
      { key: 'property', type: 'PROPERTY_TOKEN' },
    ]);
  });
});
