using System.Diagnostics;

namespace WardLink.ServiceDefaults;

/// <summary>
/// The activity source of WardLink's own spans (relay, consumers, domain work); its metrics come
/// from a meter of the same name made by each host's <c>IMeterFactory</c>, so they end with the host.
/// </summary>
public static class WardLinkActivity
{
    public const string SourceName = "WardLink";

    public static readonly ActivitySource Source = new(SourceName);
}
