using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry check PATH...</c>: validates profiles, and with <c>--profile</c> answers whether a
/// destination, DNS name or process would be allowed, and by which rule.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Profile files or directories (searched recursively for *.yaml and *.yml).",
            Arity = ArgumentArity.OneOrMore,
        };
        paths.Validators.Add(ValidatePaths);

        var profile = new Option<string>("--profile") { Description = "Ask a question of this profile (with --host, --ip or --dns); alone, list its effective rules." };
        var host = new Option<string>("--host") { Description = "Would a connection to this host name be allowed?" };
        var ip = new Option<string>("--ip") { Description = "Would a connection to this address be allowed? With --host: the address the name resolved to." };
        var port = new Option<int>("--port") { Description = "Destination port for --host/--ip.", DefaultValueFactory = _ => 443 };
        var protocol = new Option<string>("--protocol") { Description = "Transport protocol for --host/--ip.", DefaultValueFactory = _ => "tcp" };
        protocol.AcceptOnlyFromAmong("tcp", "udp");
        var dns = new Option<string>("--dns") { Description = "Would a DNS query for this name be allowed?" };
        var process = new Option<string>("--process") { Description = "Would this executable (a path or a name) be allowed to run?" };

        var command = new Command("check", "Load, resolve and validate profiles and print a summary line per profile. Exit codes: 0 valid (or allowed), 1 invalid (or denied), 2 usage error.")
        {
            paths, profile, host, ip, port, protocol, dns, process,
        };

        command.Validators.Add(result =>
        {
            var asksQuestion = result.GetResult(host) is not null || result.GetResult(ip) is not null
                || result.GetResult(dns) is not null || result.GetResult(process) is not null;
            if (asksQuestion && result.GetResult(profile) is null)
            {
                result.AddError("--host, --ip, --dns and --process need --profile NAME");
            }

            if ((result.GetResult(port) is not null || result.GetResult(protocol) is not null)
                && result.GetResult(host) is null && result.GetResult(ip) is null)
            {
                result.AddError("--port and --protocol need --host or --ip");
            }

            if (result.GetResult(port) is not null && result.GetValue(port) is < 1 or > 65535)
            {
                result.AddError("--port must be from 1 to 65535");
            }

            if (result.GetValue(ip) is { } address && !IPAddress.TryParse(address, out _))
            {
                result.AddError($"--ip '{address}' is not an IP address");
            }
        });

        command.SetAction(parseResult => new CheckRun(
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            new CheckRequest(
                parseResult.GetRequiredValue(paths),
                parseResult.GetValue(profile),
                parseResult.GetValue(host),
                parseResult.GetValue(ip) is { } address ? IPAddress.Parse(address) : null,
                parseResult.GetValue(port),
                parseResult.GetValue(protocol) == "udp" ? Core.Profiles.TransportProtocol.Udp : Core.Profiles.TransportProtocol.Tcp,
                parseResult.GetValue(dns),
                parseResult.GetValue(process))).Execute());
        return command;
    }

    private static void ValidatePaths(ArgumentResult result)
    {
        foreach (var path in result.GetValueOrDefault<string[]>() ?? [])
        {
            if (path.StartsWith('-'))
            {
                result.AddError($"unknown option '{path}'");
            }
            else if (!File.Exists(path) && !Directory.Exists(path))
            {
                result.AddError($"'{path}' is neither a file nor a directory");
            }
        }
    }
}
