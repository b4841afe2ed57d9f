using System.CommandLine;
using BuildSentry.Control;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary>Sends one request for a command and turns the outcome into output and an exit code.</summary>
internal static class ControlCall
{
    /// <summary>Longer than the server's handler timeout, so the daemon's own "did not answer" reaches the user.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    public static int Send(ParseResult parseResult, Option<string> socket, ControlRequest request, Action<ControlResponse, TextWriter>? printAnswer = null)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        ControlResponse response;
        try
        {
            // Command actions are synchronous here (BuildSentryCli.Run); a CLI has no context to deadlock.
            response = new ControlClient(parseResult.GetRequiredValue(socket), Timeout)
                .SendAsync(request, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (ControlClientException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Unreachable;
        }

        if (!response.Ok)
        {
            error.WriteLine($"error: {SafeText.Escape(response.Message)}");
            return ExitCodes.Failure;
        }

        if (printAnswer is null)
        {
            output.WriteLine(SafeText.Escape(response.Message));
        }
        else
        {
            printAnswer(response, output);
        }

        return ExitCodes.Success;
    }
}
