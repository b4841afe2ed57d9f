using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildSentry.Testing;

/// <summary>A minimal RFC 6587 receiver: accepts connections on loopback and splits octet-counted frames.</summary>
public sealed class OctetCountingReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly List<TcpClient> _clients = [];

    public OctetCountingReceiver(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _tasks.Add(AcceptAsync());
    }

    public int Port { get; }

    public List<string> Records { get; } = [];

    public int Count
    {
        get
        {
            lock (Records)
            {
                return Records.Count;
            }
        }
    }

    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return Count >= count;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        await Task.WhenAll(_tasks.Select(t => t.ContinueWith(_ => { })));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            lock (_clients)
            {
                _clients.Add(client);
            }

            lock (_tasks)
            {
                _tasks.Add(ReadAsync(client));
            }
        }
    }

    private async Task ReadAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[65536];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, _stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            pending.AddRange(buffer.AsSpan(0, read));
            while (TryFrame(pending, out var record))
            {
                lock (Records)
                {
                    Records.Add(record);
                }
            }
        }
    }

    private static bool TryFrame(List<byte> pending, out string record)
    {
        record = "";
        var space = pending.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        var length = int.Parse(Encoding.ASCII.GetString(pending.GetRange(0, space).ToArray()));
        if (pending.Count < space + 1 + length)
        {
            return false;
        }

        record = Encoding.UTF8.GetString(pending.GetRange(space + 1, length).ToArray());
        pending.RemoveRange(0, space + 1 + length);
        return true;
    }
}
