using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Tests.Monitoring;

public sealed class JobBoundsTests
{
    [Fact]
    public void Two_hundred_thousand_unique_names_keep_the_job_within_its_bounds_count_what_was_dropped_and_alert_it_once()
    {
        var options = new MonitorOptions { HostName = "agent-1" };
        var job = new HostileJob(options);
        const int names = 200_000;
        for (var i = 0; i < names; i++)
        {
            job.Query($"n{i}.exfil.test");
        }

        var state = job.State();
        Assert.Equal(options.MaxReportedDnsNames, state.DnsNames.Count);
        Assert.Equal(options.MaxFindingsPerJob, state.Findings.Count);
        Assert.Equal(options.MaxReportedViolations, state.Violations.Count);
        state = job.End();

        var limits = Assert.Single(job.Of(AlertKinds.JobLimitsReached));
        Assert.Equal(AlertSeverity.Warning, limits.Severity);
        Assert.Contains("violations listed (500)", limits.Reason);
        Assert.Equal((names - 1_000, names - 500, names - 4_096), (state.DnsNamesNotListed, state.ViolationsNotListed, state.FindingsNotRemembered));
        Assert.Equal(names, state.ViolationsAlerted + state.ViolationRepeats + state.ViolationsAggregated);
        // 200 s of event time (a query a millisecond): a summary each minute and one at the end.
        Assert.Equal(4, job.Of(AlertKinds.AlertsAggregated).Count());
        Assert.Equal(names - 3 * 4, job.Of(AlertKinds.AlertsAggregated).Sum(a => a.Aggregate!.Violations));
        Assert.True(job.Alerts.Alerts.Count < 20, $"{job.Alerts.Alerts.Count} alerts");
        Assert.Equal(1, job.Monitor.Counters.JobsAtLimits);
        Assert.Equal(state.DnsNamesNotListed + state.ViolationsNotListed + state.FindingsNotRemembered, job.Monitor.Counters.EntriesNotKept);

        var report = JobReportBuilder.From(state);
        var json = JobReportJson.Serialize(report);
        Assert.True(json.Length < 1_000_000, $"report JSON is {json.Length} chars");
        Assert.Equal(report, JobReportJson.Deserialize(json) with { Metadata = report.Metadata, Processes = report.Processes,
            Destinations = report.Destinations, DnsNames = report.DnsNames, Violations = report.Violations });
    }

    [Fact]
    public void An_address_answered_for_many_names_keeps_a_bounded_number_and_counts_the_rest()
    {
        var job = new HostileJob(new MonitorOptions { HostName = "agent-1", MaxNamesPerDestination = 8 });
        var address = IPAddress.Parse("198.18.0.66");
        for (var i = 0; i < 30; i++)
        {
            job.Answer($"w{i}.wildcard.test", address).Connect(address, 443);
        }

        var state = job.End();

        var destination = Assert.Single(state.Destinations.Values);
        Assert.Equal(8, destination.Names.Count);
        Assert.True(state.DestinationNamesNotListed > 0);
        Assert.Single(job.Of(AlertKinds.JobLimitsReached));
        Assert.Equal(state.DestinationNamesNotListed, JobReportBuilder.From(state).Bounds!.DestinationNamesNotListed);
    }

    [Fact]
    public void A_job_within_its_bounds_raises_no_limit_alert_and_reports_nothing_dropped()
    {
        var job = new HostileJob();
        job.Query("registry.test").Query("exfil.test");

        var report = JobReportBuilder.From(job.End());

        Assert.Empty(job.Of(AlertKinds.JobLimitsReached));
        Assert.Equal(new ReportBounds(0, 0, 0, 0), report.Bounds);
        Assert.Equal(new ReportAlerting(1, 0, 0, 0, 20), report.Alerting);
    }
}
