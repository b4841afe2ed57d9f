using System.Globalization;

namespace BuildSentry.Core.Profiles;

/// <summary>An inclusive range of ports; a single port has <see cref="Low"/> equal to <see cref="High"/>.</summary>
public readonly record struct PortRange(int Low, int High)
{
    public bool Contains(int port) => port >= Low && port <= High;

    public override string ToString() =>
        Low == High ? Low.ToString(CultureInfo.InvariantCulture) : $"{Low}-{High}";

    /// <summary>Parses <c>443</c> or <c>8000-8100</c>; ports are 1..65535.</summary>
    public static bool TryParse(string text, out PortRange range, out string error)
    {
        range = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var lowText = dash < 0 ? text : text[..dash];
        var highText = dash < 0 ? text : text[(dash + 1)..];
        if (!TryParsePort(lowText.Trim(), out var low) || !TryParsePort(highText.Trim(), out var high))
        {
            error = $"'{text}' is not a port or port range; ports are numbers from 1 to 65535";
            return false;
        }

        if (low > high)
        {
            error = $"port range '{text}' is reversed";
            return false;
        }

        range = new PortRange(low, high);
        error = "";
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
