using System.Net.Sockets;
using System.Text.Json;

namespace BuildSentry.Control;

/// <summary>Asks the daemon one question over its control socket.</summary>
internal sealed class ControlClient(string socketPath, TimeSpan timeout)
{
    /// <summary>Responses carry a status body or a job report (bounded by the report limits) at most; anything longer is not our daemon.</summary>
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    public async Task<ControlResponse> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token);
            var json = JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest);
            await socket.SendAsync(json.Append((byte)'\n').ToArray(), SocketFlags.None, deadline.Token);
            var line = await RequestLine.ReadAsync(socket, MaxResponseBytes, deadline.Token)
                ?? throw new ControlClientException($"the answer on {socketPath} is longer than {MaxResponseBytes} bytes");
            return Parse(line);
        }
        catch (SocketException e)
        {
            throw new ControlClientException(Explain(e.SocketErrorCode), e);
        }
        catch (EndOfStreamException e)
        {
            throw new ControlClientException($"the daemon closed {socketPath} without answering", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlClientException($"the daemon did not answer on {socketPath} within {timeout.TotalSeconds:0.#} s", e);
        }
    }

    private ControlResponse Parse(byte[] line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse)
                ?? throw new ControlClientException($"the answer on {socketPath} is empty");
        }
        catch (JsonException e)
        {
            throw new ControlClientException($"the answer on {socketPath} is not a control response: {e.Message}", e);
        }
    }

    private string Explain(SocketError error) => error switch
    {
        _ when !Path.Exists(socketPath) => $"no control socket at {socketPath}: is the daemon running?",
        SocketError.ConnectionRefused => $"nothing is listening on {socketPath}: is the daemon running?",
        SocketError.AccessDenied => $"permission denied on {socketPath}: run as root or as a member of the daemon's control group",
        _ => $"cannot talk to the daemon on {socketPath}: {error}",
    };
}
