using BuildSentry.Configuration;

namespace BuildSentry.Tests.Configuration;

public sealed class LimitsConfigurationTests
{
    [Fact]
    public void The_limits_section_sets_the_monitors_alert_limits_and_bounds()
    {
        var yaml = """
            limits:
              alerts_per_job_per_minute: 5
              alerts_per_destination_per_minute: 2
              summary_names: 7
              max_findings_per_job: 100
              max_report_processes: 10
              max_report_destinations: 11
              max_report_dns_names: 12
              max_report_violations: 13
              max_names_per_destination: 4
              max_name_cache_addresses: 1000
              max_names_per_address: 3
              max_exited_processes: 50
            """;

        var options = MonitorSettings.From(ConfigurationLoader.Parse("c.yaml", yaml));

        Assert.Equal((5, 2, 7, 100), (options.AlertsPerJobPerMinute, options.AlertsPerDestinationPerMinute, options.SummaryNames, options.MaxFindingsPerJob));
        Assert.Equal((10, 11, 12, 13, 4),
            (options.MaxReportedProcesses, options.MaxReportedDestinations, options.MaxReportedDnsNames, options.MaxReportedViolations, options.MaxNamesPerDestination));
        Assert.Equal((1000, 3, 50), (options.Names.MaxAddresses, options.Names.MaxNamesPerAddress, options.Tracker.Processes.MaxExited));
    }

    [Fact]
    public void Without_a_limits_section_the_monitor_gets_its_own_defaults()
    {
        var options = MonitorSettings.From(ConfigurationLoader.Parse("c.yaml", "default_mode: audit\n"));
        var defaults = new Core.Monitoring.MonitorOptions();

        Assert.Equal((defaults.AlertsPerJobPerMinute, defaults.AlertsPerDestinationPerMinute, defaults.SummaryNames, defaults.MaxFindingsPerJob),
            (options.AlertsPerJobPerMinute, options.AlertsPerDestinationPerMinute, options.SummaryNames, options.MaxFindingsPerJob));
        Assert.Equal((defaults.MaxReportedProcesses, defaults.MaxReportedDestinations, defaults.MaxReportedDnsNames, defaults.MaxReportedViolations, defaults.MaxNamesPerDestination),
            (options.MaxReportedProcesses, options.MaxReportedDestinations, options.MaxReportedDnsNames, options.MaxReportedViolations, options.MaxNamesPerDestination));
        Assert.Equal((defaults.Names.MaxAddresses, defaults.Names.MaxNamesPerAddress, defaults.Tracker.Processes.MaxExited),
            (options.Names.MaxAddresses, options.Names.MaxNamesPerAddress, options.Tracker.Processes.MaxExited));
    }

    [Theory]
    [InlineData("alerts_per_job_per_minute: 0", "c.yaml:3:3: limits.alerts_per_job_per_minute must be at least 1, not 0")]
    [InlineData("max_report_dns_names: -1", "c.yaml:3:3: limits.max_report_dns_names must be at least 0, not -1")]
    [InlineData("max_findings_per_job: 0", "c.yaml:3:3: limits.max_findings_per_job must be at least 1, not 0")]
    public void A_limit_out_of_range_is_an_error_naming_its_line_and_column(string line, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", $"default_mode: audit\nlimits:\n  {line}\n"));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_limit_that_is_not_a_number_is_an_error_naming_its_line_and_column()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Parse("c.yaml", "limits:\n  summary_names: twenty\n"));

        Assert.StartsWith("c.yaml:2:", error.Message, StringComparison.Ordinal);
    }
}
