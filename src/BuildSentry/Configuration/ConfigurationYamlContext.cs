using YamlDotNet.Serialization;

namespace BuildSentry.Configuration;

/// <summary>
/// The configuration's types, for YamlDotNet's static (reflection-free) deserializer: the code that builds and
/// fills them is generated at compile time, so the configuration can be read by a Native AOT binary.
/// </summary>
[YamlStaticContext]
[YamlSerializable(typeof(DaemonConfiguration))]
[YamlSerializable(typeof(CaptureSection))]
[YamlSerializable(typeof(AlertsSection))]
[YamlSerializable(typeof(AlertTargetSection))]
[YamlSerializable(typeof(ControlSection))]
[YamlSerializable(typeof(LimitsSection))]
[YamlSerializable(typeof(PreventSection))]
[YamlSerializable(typeof(DockerSection))]
[YamlSerializable(typeof(HostSection))]
[YamlSerializable(typeof(MetricsSection))]
public partial class ConfigurationYamlContext : StaticContext;
