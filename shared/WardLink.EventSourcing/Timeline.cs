using System.ComponentModel.DataAnnotations;
using JasperFx.Events;
using WardLink.Domain;

namespace WardLink.EventSourcing;

/// <summary>One step of a record's course as a partner sees it: which kind of event and when it was recorded; never what it said or who did it.</summary>
public sealed record PartnerTimelineEntry(
    [property: Range(1, long.MaxValue)] long Version,
    [property: MaxLength(BusinessEvents.MaxTypeNameLength)] string Type,
    DateTimeOffset RecordedAt);

public static class PartnerTimeline
{
    /// <summary>
    /// The steps among <paramref name="events"/> whose event type is in <paramref name="course"/> (what a partner may see of
    /// the record's course), in order, each numbered by its place in that course (1, 2, …): the stream's own versions would
    /// count, by their gaps, the steps withheld (a follow-up message, a contact read, a note).
    /// </summary>
    public static IReadOnlyList<PartnerTimelineEntry> Of(IEnumerable<IEvent> events, IReadOnlySet<Type> course) =>
        [.. events.Where(recorded => course.Contains(recorded.Data.GetType()))
            .Select((recorded, index) => new PartnerTimelineEntry(index + 1, TimelineSteps.TypeName(recorded.Data), recorded.Timestamp))];
}
