import { AdvancedAlchemyModule } from '../core/advanced-alchemy.module';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

const config = { connectionString: 'sqlite:///:memory:' };

describe('the telemetry option', () => {
  it.each([true, false, undefined, {}, { tracerProvider: undefined }])('accepts %p', (telemetry) => {
    expect(() => AdvancedAlchemyModule.forRoot(config, { telemetry: telemetry as never })).not.toThrow();
  });

  it.each([
    ['yes', /must be true, false or \{ tracerProvider, meterProvider \}, got string/],
    [1, /got number/],
    [[true], /got object/],
    [{ tracer: {} }, /unknown field\(s\) "tracer"/],
  ])('refuses %p at startup, saying what it takes', (telemetry, message) => {
    expect(() => AdvancedAlchemyModule.forRoot(config, { telemetry: telemetry as never })).toThrow(
      ImproperConfigurationError,
    );
    expect(() => AdvancedAlchemyModule.forRoot(config, { telemetry: telemetry as never })).toThrow(message);
  });
});
