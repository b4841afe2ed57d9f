using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Kernel;

/// <summary>The programs' per-CPU counters (COUNTER_* in buildsentry.bpf.c), summed over the CPUs.</summary>
/// <param name="RingFull">Records that did not fit in the ring buffer: events lost.</param>
/// <param name="JobsFull">Forks of a job member whose child could not be added to the full membership map.</param>
/// <param name="ConnectsLost">Job members' connection records that did not fit in the ring buffer.</param>
internal readonly record struct KernelCounters(ulong RingFull, ulong JobsFull, ulong ConnectsLost)
{
    private static readonly int Cpus = Math.Max(1, Libbpf.PossibleCpus());

    public static unsafe KernelCounters Read(int countersFd)
    {
        Span<ulong> values = stackalloc ulong[Cpus];
        return new KernelCounters(Sum(countersFd, 0, values), Sum(countersFd, 1, values), Sum(countersFd, 2, values));
    }

    private static unsafe ulong Sum(int fd, uint index, Span<ulong> values)
    {
        fixed (ulong* perCpu = values)
        {
            if (Libbpf.MapLookup(fd, &index, perCpu) != 0)
            {
                throw new InvalidOperationException($"reading the BPF counters failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
        }

        var sum = 0UL;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }
}
