using System.Net.Sockets;
using System.Text.Json;

namespace BuildSentry.Control;

internal sealed partial class ControlServer
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(1);

    /// <summary>Serves one connection and gives its slot back; nothing a client does escapes this method.</summary>
    private async Task ServeAsync(Socket client)
    {
        await Task.Yield();
        try
        {
            var peer = PeerIdentity.ReadCredentials(client);
            var refusal = _authorizer!.Refusal(peer, () => PeerIdentity.ReadSupplementaryGroups(client, peer.Pid));
            if (refusal is not null)
            {
                await RefuseAsync(client, peer, refusal);
                return;
            }

            var line = await ReadRequestAsync(client, peer);
            if (line is null)
            {
                return;
            }

            var parsed = ParsedRequest.Parse(line);
            if (parsed.Request is not { } request)
            {
                await RefuseAsync(client, peer, parsed.Error!);
                return;
            }

            if (parsed.DroppedMetadataKeys > 0)
            {
                LogMetadataDropped(peer.Pid, parsed.DroppedMetadataKeys);
            }

            await SendAsync(client, await HandleAsync(request, peer));
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            LogConnectionLost(e.Message);
        }
        catch (Exception e)
        {
            LogConnectionFailed(e);
        }
        finally
        {
            client.Dispose();
            _slots.Release();
        }
    }

    /// <summary>The request line; null after answering a client that sent nothing in time or too much.</summary>
    private async Task<byte[]?> ReadRequestAsync(Socket client, PeerCredentials peer)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        byte[]? line;
        try
        {
            line = await RequestLine.ReadAsync(client, _options.MaxRequestBytes, timeout.Token);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            LogRequestTimedOut(peer.Pid, peer.Uid, _options.RequestTimeout.TotalMilliseconds);
            await SendAsync(client, ControlResponse.Refused($"no request line within {_options.RequestTimeout.TotalSeconds:0.#} s"));
            return null;
        }

        if (line is null)
        {
            await RefuseAsync(client, peer, $"request longer than {_options.MaxRequestBytes} bytes");
        }

        return line;
    }

    private async Task<ControlResponse> HandleAsync(ControlRequest request, PeerCredentials peer)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.HandlerTimeout);
        ControlResponse response;
        try
        {
            // WaitAsync: a handler that ignores its token still cannot hold the connection past the timeout.
            response = await _daemon.HandleAsync(request, peer, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            response = new ControlResponse(false, $"the daemon did not answer within {_options.HandlerTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandlerFailed(e, request.Command);
            response = new ControlResponse(false, "the daemon failed to handle the request; see its log");
        }

        LogHandled(request.Command, peer.Pid, peer.Uid, response.Ok ? "ok" : "failed: " + response.Message);
        return response;
    }

    private async Task RefuseAsync(Socket client, PeerCredentials peer, string reason)
    {
        LogRefused(peer.Pid, peer.Uid, reason);
        try
        {
            _daemon.PeerRefused(peer, reason);
        }
        catch (Exception e)
        {
            LogHandlerFailed(e, "peer-refused");
        }

        await SendAsync(client, ControlResponse.Refused("refused: " + reason));
        await RequestLine.DrainAsync(client, DrainLimit);
    }

    private async Task SendAsync(Socket client, ControlResponse response)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        for (var sent = 0; sent < line.Length;)
        {
            sent += await client.SendAsync(line.AsMemory(sent), SocketFlags.None, timeout.Token);
        }

        client.Shutdown(SocketShutdown.Send);
    }
}
