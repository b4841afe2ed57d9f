using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Benchmarks.Processes;

/// <summary>
/// The process sensor's /proc reads: what it reads at every exec (stat, exe, cwd, status, cmdline and,
/// unless the parent's job is settled, environ) and at every fork (stat), for this process and for a
/// child `sleep`.
/// </summary>
[MemoryDiagnoser]
public class ProcFsBenchmarks
{
    private readonly ProcFs _procFs = new();
    private Process _child = null!;
    private ProcessKey _self;
    private ProcessKey _childKey;

    [GlobalSetup]
    public void StartChild()
    {
        _child = Process.Start(new ProcessStartInfo("/bin/sleep", ["3600"]))!;
        _self = _procFs.TryGetKey(Environment.ProcessId) ?? throw new InvalidOperationException("no /proc/self");
        _childKey = _procFs.TryGetKey(_child.Id) ?? throw new InvalidOperationException("the child is gone");
        if (_procFs.ReadDetails(_childKey.Pid, _childKey.StartTime).Exe != "/usr/bin/sleep")
        {
            throw new InvalidOperationException("the child's details were not read");
        }
    }

    [GlobalCleanup]
    public void StopChild()
    {
        _child.Kill();
        _child.WaitForExit();
        _child.Dispose();
    }

    [Benchmark]
    public ProcessDetails ReadDetailsSelf() => _procFs.ReadDetails(_self.Pid, _self.StartTime);

    [Benchmark(Baseline = true)]
    public ProcessDetails ReadDetailsChild() => _procFs.ReadDetails(_childKey.Pid, _childKey.StartTime);

    [Benchmark]
    public ProcessDetails ReadDetailsChildWithoutMarkers() =>
        _procFs.ReadDetails(_childKey.Pid, _childKey.StartTime, static _ => true);

    [Benchmark]
    public ulong ReadStatChild() => _procFs.TryReadStat(_childKey.Pid, out var stat) ? stat.StartTime : 0;
}
