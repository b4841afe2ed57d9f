using BuildSentry.Configuration;

namespace BuildSentry.Tests.Configuration;

public sealed class ConfigurationErrorTests
{
    [Fact]
    public void Bad_yaml_is_reported_with_file_line_and_column()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("/etc/bs.yaml", "default_mode: audit\ncapture: [unclosed\n"));

        Assert.Matches(@"^/etc/bs\.yaml:\d+:\d+: ", error.Message);
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_its_line()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", "default_mode: audit\nreport_dir: /tmp\n"));

        Assert.StartsWith("c.yaml:2:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("report_dir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_mode_is_an_error_naming_its_line()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", "\ndefault_mode: block\n"));

        Assert.StartsWith("c.yaml:2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_process_sensor_is_an_error_naming_its_line_and_the_choices()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", "\nprocess_sensor: kprobe\n"));

        Assert.StartsWith("c.yaml:2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("process_sensor must be one of auto, ebpf, proc-connector, not 'kprobe'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("process_sensor: ebpf", "ebpf")]
    [InlineData("process_sensor: proc-connector", "proc-connector")]
    [InlineData("", "auto")]
    public void The_process_sensor_is_read_from_the_configuration(string line, string expected) =>
        Assert.Equal(expected, ConfigurationLoader.Parse("c.yaml", line + "\n").ProcessSensor);

    [Theory]
    [InlineData("transport: carrier-pigeon", "transport 'carrier-pigeon' is not one of udp, tcp, relp, unix")]
    [InlineData("format: xml", "format 'xml' is not one of rfc5424, cef, json")]
    [InlineData("port: 0", "port 0 is out of range")]
    [InlineData("port: 65536", "port 65536 is out of range")]
    [InlineData("queue_capacity: 0", "queue_capacity must be at least 1")]
    public void A_bad_alert_target_value_is_an_error(string line, string expected)
    {
        var yaml = $"alerts:\n  targets:\n    - {line}\n";

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", yaml));

        Assert.Equal($"c.yaml: alerts.targets: {expected}", error.Message);
    }

    [Fact]
    public void A_unix_target_needs_no_port()
    {
        var configuration = ConfigurationLoader.Parse("c.yaml", "alerts:\n  targets:\n    - { transport: unix, address: /run/systemd/journal/syslog, port: 0 }\n");

        Assert.Equal("unix", Assert.Single(configuration.Alerts.Targets).Transport);
    }

    [Fact]
    public void A_dns_port_out_of_range_is_an_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", "capture:\n  dns_ports: [53, 70000]\n"));

        Assert.Equal("c.yaml: capture.dns_ports: every port must be in 1..65535", error.Message);
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_at_once()
    {
        var yaml = "alerts:\n  targets:\n    - { transport: x, format: y }\ncapture:\n  dns_ports: [0]\n";

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", yaml));

        Assert.Equal(3, error.Message.Split(Environment.NewLine).Length);
    }

    [Fact]
    public void An_empty_file_gives_the_embedded_defaults()
    {
        var configuration = ConfigurationLoader.Parse("c.yaml", "");

        Assert.Equal(("Audit", "/var/lib/buildsentry/reports"), (configuration.DefaultMode.ToString(), configuration.ReportsDir));
    }

    [Fact]
    public void An_explicit_configuration_path_that_does_not_exist_is_an_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "buildsentry-missing-" + Guid.NewGuid().ToString("N") + ".yaml");

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal($"{path}: no such file", error.Message);
    }
}
