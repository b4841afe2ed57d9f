using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// The embedded BPF object, loaded and attached: its programs run from <see cref="Load"/> until <see cref="Dispose"/>,
/// held by this process's links only (nothing is pinned), so they go when the process goes. The connection programs
/// sit at the cgroup v2 root, where every task's sockets pass them; each decides by the calling task's job.
/// </summary>
internal sealed unsafe class KernelPrograms : IDisposable
{
    public const string ResourceName = "buildsentry.bpf.o";
    private static readonly string[] ProgramNames = ["buildsentry_fork", "buildsentry_exec", "buildsentry_exit", "buildsentry_comm"];
    private static readonly string[] CgroupProgramNames =
        ["buildsentry_connect4", "buildsentry_connect6", "buildsentry_sendmsg4", "buildsentry_sendmsg6",
         "buildsentry_recvmsg4", "buildsentry_recvmsg6", "buildsentry_getpeername4", "buildsentry_getpeername6"];

    private readonly List<nint> _links = [];
    private nint _object;

    // libbpf reads the ELF image in place until the load is done: it must not move, so it is not a managed array.
    private byte* _image;

    private KernelPrograms(nint obj, byte* image)
    {
        _object = obj;
        _image = image;
    }

    public int EventsFd { get; private set; }

    public int JobsFd { get; private set; }

    public int CountersFd { get; private set; }

    /// <summary>The socket-owner map (flows.h): socket cookie → the job member that connected or sent on it.</summary>
    public int SocketOwnersFd { get; private set; }

    /// <summary>Prevent mode's maps (policy.h): per-job policy, allowlist (LPM trie) and redirected DNS servers.</summary>
    public int JobPoliciesFd { get; private set; }

    public int AllowedFd { get; private set; }

    public int DnsOriginsFd { get; private set; }

    public int DnsClientsFd { get; private set; }

    public int DnsNamespacesFd { get; private set; }

    /// <summary>Processes stopped at exec until their namespace's forwarder listens (jobpolicy.h), and the switch.</summary>
    public int NamespaceStopsFd { get; private set; }

    public int StopExecsFd { get; private set; }

    /// <summary>Opens, sizes, loads and (unless told not to) attaches the programs. Throws <see cref="KernelUnavailableException"/>.</summary>
    public static KernelPrograms Load(int ringBytes, int wakeBytes, int jobEntries, string cgroupRoot, bool attach = true)
    {
        var image = ReadImage(out var length);
        var obj = Libbpf.ObjectOpenMem(image, length, 0);
        if (obj == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            NativeMemory.Free(image);
            throw Unavailable("opening the BPF object", errno);
        }

        var programs = new KernelPrograms(obj, image);
        try
        {
            programs.Configure(ringBytes, wakeBytes, jobEntries);
            var loaded = Libbpf.ObjectLoad(obj);
            if (loaded != 0)
            {
                throw Unavailable("loading the BPF programs", Libbpf.Errno(loaded));
            }

            programs.EventsFd = Libbpf.MapFd(programs.Map("events"));
            programs.JobsFd = Libbpf.MapFd(programs.Map("jobs"));
            programs.CountersFd = Libbpf.MapFd(programs.Map("counters"));
            programs.SocketOwnersFd = Libbpf.MapFd(programs.Map("socket_owners"));
            programs.JobPoliciesFd = Libbpf.MapFd(programs.Map("job_policies"));
            programs.AllowedFd = Libbpf.MapFd(programs.Map("allowed"));
            programs.DnsOriginsFd = Libbpf.MapFd(programs.Map("dns_origins"));
            programs.DnsClientsFd = Libbpf.MapFd(programs.Map("dns_clients"));
            programs.DnsNamespacesFd = Libbpf.MapFd(programs.Map("dns_netns"));
            programs.NamespaceStopsFd = Libbpf.MapFd(programs.Map("netns_stops"));
            programs.StopExecsFd = Libbpf.MapFd(programs.Map("stop_execs"));
            if (!attach)
            {
                return programs;
            }

            foreach (var name in ProgramNames)
            {
                programs.Attach(name);
            }

            foreach (var name in CgroupProgramNames)
            {
                programs.AttachCgroup(name, cgroupRoot);
            }

            return programs;
        }
        catch
        {
            programs.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var link in _links)
        {
            Libbpf.LinkDestroy(link);
        }

        _links.Clear();
        if (_object != 0)
        {
            Libbpf.ObjectClose(_object);
            _object = 0;
        }

        NativeMemory.Free(_image);
        _image = null;
    }

    private void Configure(int ringBytes, int wakeBytes, int jobEntries)
    {
        if (Libbpf.MapSetMaxEntries(Map("events"), (uint)ringBytes) != 0 || Libbpf.MapSetMaxEntries(Map("jobs"), (uint)jobEntries) != 0)
        {
            throw new KernelUnavailableException("the BPF maps could not be sized");
        }

        // The wake-up threshold is read-only data: the verifier sees it as a constant.
        var rodata = Libbpf.MapInitialValue(Map(".rodata"), out var size);
        if (rodata is null || size < sizeof(ulong))
        {
            throw new KernelUnavailableException("the BPF object has no read-only data to configure");
        }

        *(ulong*)rodata = (ulong)wakeBytes;
    }

    private void Attach(string name)
    {
        var program = Libbpf.FindProgram(_object, name);
        var link = program == 0 ? 0 : Libbpf.ProgramAttach(program);
        if (link == 0)
        {
            throw Unavailable($"attaching {name}", Marshal.GetLastPInvokeError());
        }

        _links.Add(link);
    }

    private void AttachCgroup(string name, string cgroupRoot)
    {
        var program = Libbpf.FindProgram(_object, name);
        var error = 0;
        var link = program == 0 ? 0 : Libbpf.AttachCgroup(program, cgroupRoot, out error);
        if (link == 0)
        {
            throw error == 1
                ? new KernelUnavailableException($"attaching {name} at {cgroupRoot} was refused (EPERM): it needs CAP_NET_ADMIN")
                : Unavailable($"attaching {name} at {cgroupRoot}", error);
        }

        _links.Add(link);
    }

    private nint Map(string name) =>
        Libbpf.FindMap(_object, name) is var map and not 0 ? map : throw new KernelUnavailableException($"the BPF object has no map {name}");

    private static byte* ReadImage(out nuint length)
    {
        using var stream = typeof(KernelPrograms).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new KernelUnavailableException($"the build embedded no {ResourceName}");
        var image = (byte*)NativeMemory.Alloc((nuint)stream.Length);
        stream.ReadExactly(new Span<byte>(image, (int)stream.Length));
        length = (nuint)stream.Length;
        return image;
    }

    private static KernelUnavailableException Unavailable(string step, int errno) => new(errno switch
    {
        1 => $"{step} was refused (EPERM): it needs CAP_BPF and CAP_PERFMON (or root), and kernel lockdown must allow BPF",
        13 => $"{step} was refused by the verifier (EACCES): the kernel may be older than this sensor needs (5.8 with BTF)",
        22 or 95 or 2 => $"{step} failed (errno {errno}): the kernel may lack BTF-typed tracepoints or the BPF ring buffer (5.8 with BTF)",
        _ => $"{step} failed: errno {errno}",
    });
}
