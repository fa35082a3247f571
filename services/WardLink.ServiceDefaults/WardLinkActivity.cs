using System.Diagnostics;

namespace WardLink.ServiceDefaults;

/// <summary>The activity source of WardLink's own spans (relay, consumers, domain work).</summary>
public static class WardLinkActivity
{
    public const string SourceName = "WardLink";

    public static readonly ActivitySource Source = new(SourceName);
}
