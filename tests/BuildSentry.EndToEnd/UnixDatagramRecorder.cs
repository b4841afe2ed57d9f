using System.Net.Sockets;
using System.Text;

namespace BuildSentry.EndToEnd;

/// <summary>
/// A unix datagram socket in a directory of its own that keeps what each datagram says, parsed as it arrives (so that a
/// record can say what else was true at that moment).
/// </summary>
public sealed class UnixDatagramRecorder<T> : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Func<string, IEnumerable<T>> _parse;
    private readonly List<T> _records = [];
    private readonly Task _receiving;

    public UnixDatagramRecorder(string prefix, string socketName, Func<string, IEnumerable<T>> parse)
    {
        _parse = parse;
        Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        SocketPath = Path.Combine(Directory, socketName);
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _receiving = ReceiveAsync();
    }

    public string Directory { get; }

    public string SocketPath { get; }

    public IReadOnlyList<T> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>The first record that matches; on a timeout, the exception says <paramref name="missing"/>.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> match, TimeSpan timeout, Func<string> missing)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var record in Records.Where(match))
            {
                return record;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException(missing());
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _receiving;
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[65536];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var records = _parse(Encoding.UTF8.GetString(buffer, 0, length)).ToList();
            lock (_records)
            {
                _records.AddRange(records);
            }
        }
    }
}
