namespace BuildSentry.Testing;

/// <summary>Checks for what a test needs; each throws <see cref="RequirementNotMetException"/> when it is missing.</summary>
public static class Requirements
{
    public static void Root()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new RequirementNotMetException(
                "This test needs root (network namespaces, netfilter, packet capture). Run the tests as root.");
        }
    }

    public static void Linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new RequirementNotMetException("This test needs Linux.");
        }
    }

    /// <summary>Requires an executable on PATH, naming the Debian package that provides it.</summary>
    public static void Tool(string name, string debianPackage)
    {
        if (FindOnPath(name) is null)
        {
            throw new RequirementNotMetException(
                $"This test needs '{name}' on PATH (Debian package {debianPackage}); scripts/test.sh installs it.");
        }
    }

    /// <summary>Requires a file a Debian package installs (a loadable module), naming the package.</summary>
    public static void PackageFile(string path, string debianPackage)
    {
        if (!File.Exists(path))
        {
            throw new RequirementNotMetException(
                $"This test needs {path} (Debian package {debianPackage}); scripts/test.sh installs it.");
        }
    }

    internal static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }
}
