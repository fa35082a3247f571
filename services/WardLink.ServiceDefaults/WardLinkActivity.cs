using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WardLink.ServiceDefaults;

/// <summary>The activity source and meter of WardLink's own spans and metrics (relay, consumers, domain work).</summary>
public static class WardLinkActivity
{
    public const string SourceName = "WardLink";

    public static readonly ActivitySource Source = new(SourceName);

    public static readonly Meter Meter = new(SourceName);
}
