using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// libbpf's BPF ring buffer consumer. The sample callback is an unmanaged function pointer (an
/// [UnmanagedCallersOnly] method), which Native AOT compiles without a marshalling stub.
/// </summary>
internal static unsafe partial class LibbpfRingBuffer
{
    [LibraryImport(Libbpf.Library, EntryPoint = "ring_buffer__new", SetLastError = true)]
    public static partial nint New(int mapFd, delegate* unmanaged[Cdecl]<nint, nint, nuint, int> sample, nint context, nint options);

    /// <summary>Waits for a wake-up at most <paramref name="timeoutMs"/>, then consumes; returns records consumed or -errno.</summary>
    [LibraryImport(Libbpf.Library, EntryPoint = "ring_buffer__poll", SetLastError = true)]
    public static partial int Poll(nint ringBuffer, int timeoutMs);

    /// <summary>Consumes every committed record without waiting; returns records consumed or -errno.</summary>
    /// <summary>The epoll fd the ring buffer's maps are registered in: readable when a record asked for a wake-up.</summary>
    [LibraryImport(Libbpf.Library, EntryPoint = "ring_buffer__epoll_fd")]
    public static partial int EpollFd(nint ringBuffer);

    [LibraryImport(Libbpf.Library, EntryPoint = "ring_buffer__consume", SetLastError = true)]
    public static partial int Consume(nint ringBuffer);

    [LibraryImport(Libbpf.Library, EntryPoint = "ring_buffer__free")]
    public static partial void Free(nint ringBuffer);
}
