using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// A read-only view of a BPF ring buffer's two positions: the consumer page comes first in the map's mmap layout,
/// the producer page after it, each position a u64 at the page's start. libbpf 1.1 (Debian 12) has no call that
/// tells how much is pending (ring__avail_data_size came in 1.3), and asking must not consume.
/// </summary>
internal sealed unsafe class RingPositions : IDisposable
{
    private readonly nint _pages;
    private readonly int _length;

    private RingPositions(nint pages, int length)
    {
        _pages = pages;
        _length = length;
    }

    public static RingPositions Map(int ringFd)
    {
        var page = Environment.SystemPageSize;
        var pages = mmap(null, 2 * page, PROT_READ, MAP_SHARED, ringFd, 0);
        if ((nint)pages == -1)
        {
            throw new InvalidOperationException($"mmap of the ring buffer's positions failed: errno {errno}");
        }

        return new RingPositions((nint)pages, 2 * page);
    }

    /// <summary>How far the reader has consumed, in bytes since the map was made.</summary>
    public ulong Consumer => Volatile.Read(ref *(ulong*)_pages);

    /// <summary>How far the programs have reserved (committed or not), in bytes since the map was made.</summary>
    public ulong Producer => Volatile.Read(ref *(ulong*)(_pages + _length / 2));

    /// <summary>Bytes the kernel has reserved that the reader has not consumed.</summary>
    public ulong Pending => Producer - Consumer;

    public void Dispose() => munmap((void*)_pages, _length);
}
