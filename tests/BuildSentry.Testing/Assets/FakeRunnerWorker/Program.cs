// Stands in for GitHub's Runner.Worker: sets the tracking id the way the real worker does (through the
// managed API only, so not in /proc/PID/environ), says so, and waits to be probed.
Environment.SetEnvironmentVariable("RUNNER_TRACKING_ID", args.Length > 0 ? args[0] : "github_fake");
Console.WriteLine("ready");
Thread.Sleep(Timeout.Infinite);
