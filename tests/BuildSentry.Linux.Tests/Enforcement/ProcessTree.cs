using System.Diagnostics;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Enforcement;

/// <summary>
/// A job-like tree of real processes started from a /bin/sh script. The script writes "ready" to
/// $DIR/ready when its tree is built; a daemonized process writes its pid to $DIR/daemon.
/// </summary>
internal sealed class ProcessTree : IDisposable
{
    private static readonly ProcFs Proc = new();

    public ProcessTree(string script)
    {
        Directory = Path.Combine(Path.GetTempPath(), $"bs-tree-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        Root = Support.Processes.Start("/bin/sh", ["-c", script], new Dictionary<string, string> { ["DIR"] = Directory });
        RootKey = KeyOf(Root.Id);
    }

    /// <summary>A root with two sleeping children, a grandchild, and a grandchild that double-forked, setsid'd
    /// and was reparented away from the tree (it writes its pid to $DIR/daemon).</summary>
    public const string Standard = """
        sleep 300 &
        sh -c 'sleep 300 & wait' &
        ( setsid sh -c 'echo $$ > "$DIR/daemon.tmp"; mv "$DIR/daemon.tmp" "$DIR/daemon"; exec sleep 300' & )
        while [ ! -e "$DIR/daemon" ]; do sleep 0.01; done
        echo > "$DIR/ready"
        wait
        """;

    public string Directory { get; }

    public Process Root { get; }

    public ProcessKey RootKey { get; }

    public static ProcessKey KeyOf(int pid) => Proc.TryGetKey(pid) ?? throw new InvalidOperationException($"pid {pid} is gone");

    /// <summary>A tree started gated: call <see cref="Release"/> after moving the root into a cgroup so every child is born there.</summary>
    public static ProcessTree Gated(string script) =>
        new($"while [ ! -e \"$DIR/go\" ]; do sleep 0.01; done\n{script}");

    public void Release() => File.WriteAllText(Path.Combine(Directory, "go"), "");

    public void WaitReady() => WaitFor(() => File.Exists(Path.Combine(Directory, "ready")), "the tree to be built");

    public ProcessKey DaemonKey() => KeyOf(int.Parse(File.ReadAllText(Path.Combine(Directory, "daemon")).Trim()));

    /// <summary>The root and every live process below it now, found from /proc parent links.</summary>
    public List<ProcessKey> Descendants(params ProcessKey[] extraRoots)
    {
        var stats = Proc.EnumeratePids().Select(pid => (pid, ok: Proc.TryReadStat(pid, out var s), s)).Where(t => t.ok).ToList();
        var found = new HashSet<int>(extraRoots.Select(k => k.Pid).Append(RootKey.Pid));
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, _, stat) in stats)
            {
                grew |= found.Contains(stat.Ppid) && found.Add(pid);
            }
        }

        return stats.Where(t => found.Contains(t.pid)).Select(t => new ProcessKey(t.pid, t.s.StartTime)).ToList();
    }

    /// <summary>The live `sleep MARKER` processes (a fork loop's children, told apart by their odd duration).</summary>
    public static List<ProcessKey> Sleepers(string marker) => Proc.EnumeratePids()
        .Where(pid => Proc.ReadArgv(pid) is ["sleep", var arg] && arg == marker)
        .Select(pid => Proc.TryGetKey(pid)).OfType<ProcessKey>().ToList();

    /// <summary>Alive means running or stopped under the same identity; a zombie is dead (pid 1 here may never reap).</summary>
    public static bool IsAlive(ProcessKey key)
    {
        string[] fields;
        try
        {
            fields = StatFields.OfProcess(key.Pid);
        }
        catch (IOException)
        {
            return false;
        }

        return fields[0] is not ("Z" or "X") && ulong.Parse(fields[19]) == key.StartTime;
    }

    public static void WaitFor(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        if (!Root.HasExited)
        {
            Root.Kill(entireProcessTree: true);
        }

        Root.WaitForExit();
        Root.Dispose();
        if (File.Exists(Path.Combine(Directory, "daemon")) && Proc.TryGetKey(int.Parse(File.ReadAllText(Path.Combine(Directory, "daemon")).Trim())) is { } daemon)
        {
            Tmds.Linux.LibC.kill(daemon.Pid, Tmds.Linux.LibC.SIGKILL);
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
