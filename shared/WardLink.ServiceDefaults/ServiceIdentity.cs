using System.Text.RegularExpressions;

namespace WardLink.ServiceDefaults;

/// <summary>Which service this process is: its name in telemetry, queues and metrics.</summary>
public sealed partial record ServiceIdentity(string Name)
{
    /// <summary>The longest service name (a checkpoint's holder, a read naming a service).</summary>
    public const int MaxNameLength = 64;

    /// <summary>What a service name looks like (<c>incidents</c>, <c>tips</c>).</summary>
    public const string NamePattern = "^[a-z][a-z0-9-]*$";

    /// <summary>A service's name, matched whole (<see cref="WardLink.Domain.Patterns.IsWholly"/>: <c>$</c> alone also matches before a final line feed).</summary>
    [GeneratedRegex(NamePattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    public static partial Regex NameForm();
}
