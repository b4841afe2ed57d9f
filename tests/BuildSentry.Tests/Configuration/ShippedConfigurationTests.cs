using System.Text.Json;
using BuildSentry.Configuration;
using BuildSentry.Tests.Cli;

namespace BuildSentry.Tests.Configuration;

public sealed class ShippedConfigurationTests
{
    private static readonly string ShippedPath = Path.Combine(CliRunner.RepositoryRoot(), "packaging", "buildsentry.yaml");

    [Fact]
    public void The_shipped_configuration_parses_without_errors()
    {
        var configuration = ConfigurationLoader.Parse(ShippedPath, File.ReadAllText(ShippedPath));

        Assert.Equal("/run/buildsentry/control.sock", configuration.Control.Socket);
    }

    [Fact]
    public void The_shipped_configuration_states_exactly_the_embedded_defaults()
    {
        var shipped = ConfigurationLoader.Parse(ShippedPath, File.ReadAllText(ShippedPath));

        Assert.Equal(JsonSerializer.Serialize(new DaemonConfiguration()), JsonSerializer.Serialize(shipped));
    }

    [Fact]
    public void The_commented_alert_target_example_is_a_valid_target()
    {
        var example = string.Join('\n', File.ReadAllLines(ShippedPath)
            .SkipWhile(l => !l.Contains("# targets:", StringComparison.Ordinal))
            .TakeWhile(l => l.TrimStart().StartsWith('#'))
            .Select(l => "  " + l.TrimStart()[1..]));

        var configuration = ConfigurationLoader.Parse("example", "alerts:\n" + example);

        var target = Assert.Single(configuration.Alerts.Targets);
        Assert.Equal(("tcp", "siem.example.com", 514, "rfc5424", "buildsentry@32473", 10_000),
            (target.Transport, target.Address, target.Port, target.Format, target.SdId, target.QueueCapacity));
    }

    [Fact]
    public void Every_configuration_key_is_documented_in_the_shipped_file()
    {
        var text = File.ReadAllText(ShippedPath);
        string[] keys =
        [
            "profiles_dir:", "default_mode:", "default_profile:", "capture:", "enabled:", "interfaces:", "dns_ports:", "alerts:",
            "targets:", "transport:", "address:", "port:", "format:", "sd_id:", "queue_capacity:", "reports_dir:", "control:",
            "socket:", "group:", "trace_file:", "job_cgroups:", "host_name:", "limits:", "alerts_per_job_per_minute:",
            "alerts_per_destination_per_minute:", "summary_names:", "max_findings_per_job:", "max_report_processes:",
            "max_report_destinations:", "max_report_dns_names:", "max_report_violations:", "max_names_per_destination:",
            "max_name_cache_addresses:", "max_names_per_address:", "max_exited_processes:", "metrics:", "textfile:", "interval_seconds:",
        ];

        Assert.All(keys, key => Assert.Contains(key, text, StringComparison.Ordinal));
    }
}
