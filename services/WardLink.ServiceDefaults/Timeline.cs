using System.Text.Json;
using JasperFx.Events;

namespace WardLink.ServiceDefaults;

/// <summary>One step of a record's course as a partner sees it: which kind of event and when it was recorded; never what it said or who did it.</summary>
public sealed record PartnerTimelineEntry(long Version, string Type, DateTimeOffset RecordedAt);

public static class PartnerTimeline
{
    /// <summary>The steps among <paramref name="events"/> whose data <paramref name="shown"/> lets a partner see, in order.</summary>
    public static IReadOnlyList<PartnerTimelineEntry> Of(IEnumerable<IEvent> events, Func<object, bool> shown) =>
        [.. events.Where(recorded => shown(recorded.Data))
            .Select(recorded => new PartnerTimelineEntry(recorded.Version, JsonNamingPolicy.CamelCase.ConvertName(recorded.Data.GetType().Name), recorded.Timestamp))];
}
