namespace BuildSentry.Linux.Kernel;

/// <summary>The kind field of a BPF record (KIND_* in buildsentry.bpf.c and connect.h).</summary>
public enum KernelRecordKind : uint
{
    Fork = 1,
    Exec = 2,
    Exit = 3,

    /// <summary>The process renamed itself (not at exec).</summary>
    Comm = 4,

    /// <summary>A job member's connect (TCP, or a UDP socket's): a <see cref="KernelConnectionRecord"/>.</summary>
    Connect = 5,

    /// <summary>The first datagram a job member's UDP socket sends to a destination: a <see cref="KernelConnectionRecord"/>.</summary>
    UdpSend = 6,

    /// <summary>A job member's connect or send that prevent mode refused (EPERM) before a packet left: a
    /// <see cref="KernelConnectionRecord"/>.</summary>
    Prevented = 7,

    /// <summary>A held job's process is in a network namespace where the DNS forwarder does not listen yet (struct
    /// netns_record of jobpolicy.h).</summary>
    NetworkNamespace = 8,
}
