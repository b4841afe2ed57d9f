using BuildSentry.Core.Profiles;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace BuildSentry.Configuration;

/// <summary>Reads the configuration file; a bad file is an error naming file, line and column.</summary>
public static class ConfigurationLoader
{
    private static readonly IDeserializer Deserializer = new StaticDeserializerBuilder(new ConfigurationYamlContext())
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(LowerCaseNamingConvention.Instance)
        .Build();

    /// <summary>
    /// Loads <paramref name="path"/>; when it is null and the default file does not exist, returns the
    /// embedded default. A path given explicitly must exist.
    /// </summary>
    public static DaemonConfiguration Load(string? path)
    {
        var file = path ?? DaemonConfiguration.DefaultPath;
        if (!File.Exists(file))
        {
            return path is null ? new DaemonConfiguration() : throw new ConfigurationException($"{file}: no such file");
        }

        return Parse(file, File.ReadAllText(file));
    }

    public static DaemonConfiguration Parse(string source, string yaml)
    {
        DaemonConfiguration? configuration;
        try
        {
            configuration = Deserializer.Deserialize<DaemonConfiguration?>(yaml);
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            throw new ConfigurationException($"{source}:{ex.Start.Line}:{ex.Start.Column}: {FirstLine(message)}");
        }

        configuration ??= new DaemonConfiguration();
        Validate(source, configuration);
        return configuration;
    }

    /// <summary>The profiles directory: configured, else /etc/buildsentry/profiles, else the set shipped with the binary.</summary>
    public static string ProfilesDirectory(DaemonConfiguration configuration) =>
        configuration.ProfilesDir
        ?? new[] { "/etc/buildsentry/profiles", Path.Combine(AppContext.BaseDirectory, "profiles") }.FirstOrDefault(Directory.Exists)
        ?? Path.Combine(AppContext.BaseDirectory, "profiles");

    private static void Validate(string source, DaemonConfiguration c)
    {
        var errors = new List<string>();
        foreach (var target in c.Alerts.Targets)
        {
            if (target.Transport is not ("udp" or "tcp" or "relp" or "unix"))
            {
                errors.Add($"alerts.targets: transport '{target.Transport}' is not one of udp, tcp, relp, unix");
            }

            if (target.Format is not ("rfc5424" or "cef" or "json"))
            {
                errors.Add($"alerts.targets: format '{target.Format}' is not one of rfc5424, cef, json");
            }

            if (target.Port is < 1 or > 65535 && target.Transport != "unix")
            {
                errors.Add($"alerts.targets: port {target.Port} is out of range");
            }

            if (target.QueueCapacity < 1)
            {
                errors.Add("alerts.targets: queue_capacity must be at least 1");
            }
        }

        if (c.Capture.DnsPorts.Any(p => p is < 1 or > 65535))
        {
            errors.Add("capture.dns_ports: every port must be in 1..65535");
        }

        foreach (var server in c.Prevent.DnsServers)
        {
            if (!System.Net.IPAddress.TryParse(server, out _))
            {
                errors.Add($"prevent.dns_servers: '{server}' is not an IP address");
            }
        }

        if (c.Metrics.Textfile is { } textfile && !Path.IsPathFullyQualified(textfile))
        {
            errors.Add($"metrics.textfile: '{textfile}' is not an absolute path");
        }

        if (!Enum.IsDefined(c.DefaultMode))
        {
            errors.Add("default_mode must be audit, kill or prevent");
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join(Environment.NewLine, errors.Select(e => $"{source}: {e}")));
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

public sealed class ConfigurationException(string message) : Exception(message);
