using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>
/// One thread of a process stopped by ptrace (PTRACE_SEIZE, PTRACE_INTERRUPT), the rest running: a wedged thread, for
/// real. A python3 tracer holds it until disposed; a thread group with a traced thread is reaped only after that.
/// </summary>
public sealed class StoppedThread : IDisposable
{
    private const string Tracer = """
        import ctypes, sys, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
        tid = int(sys.argv[1])
        PTRACE_SEIZE, PTRACE_INTERRUPT = 0x4206, 0x4207
        for request in (PTRACE_SEIZE, PTRACE_INTERRUPT):
            if libc.ptrace(request, tid, None, None) != 0:
                sys.exit("ptrace %x: errno %d" % (request, ctypes.get_errno()))
        time.sleep(300)
        """;

    private readonly System.Diagnostics.Process _tracer;

    private StoppedThread(System.Diagnostics.Process tracer) => _tracer = tracer;

    /// <summary>Stops the thread of <paramref name="pid"/> named <paramref name="name"/> and waits until it is stopped.</summary>
    public static async Task<StoppedThread> StopAsync(int pid, string name)
    {
        Requirements.Tool("python3", "python3");
        var tid = ThreadNamed(pid, name);
        var stopped = new StoppedThread(Command.Start("python3", ["-c", Tracer, tid.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var stat = File.ReadAllText($"/proc/{pid}/task/{tid}/stat");
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('t'))
            {
                return stopped;
            }

            await Task.Delay(20);
        }

        stopped.Dispose();
        throw new TimeoutException($"thread {name} ({tid}) of {pid} was not stopped");
    }

    public void Dispose()
    {
        _tracer.Kill();
        _tracer.Dispose();
    }

    private static int ThreadNamed(int pid, string name)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == name)
            {
                return int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no thread named {name} in {pid}");
    }
}
