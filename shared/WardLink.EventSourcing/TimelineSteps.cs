using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using JasperFx.Events;
using WardLink.Domain;
using WardLink.ServiceDefaults.Security;

namespace WardLink.EventSourcing;

/// <summary>
/// One step of a record's course as the police see it: which event (its type in camelCase), when it
/// happened in business time and who did it (<see cref="IBusinessEvent"/>), when it was recorded,
/// and what it said.
/// </summary>
public sealed record TimelineStep(
    [property: Range(1, long.MaxValue)] long Version,
    [property: MaxLength(BusinessEvents.MaxTypeNameLength)] string Type,
    DateTimeOffset At,
    [property: MaxLength(WardLinkClaims.MaxSubjectLength)] string By,
    DateTimeOffset RecordedAt,
    object Data);

public static class TimelineSteps
{
    /// <summary>The steps of a stream's <paramref name="events"/>, in order.</summary>
    public static IReadOnlyList<TimelineStep> Of(IEnumerable<IEvent> events) =>
        [.. events.Where(recorded => recorded.Data is IBusinessEvent)
            .Select(recorded =>
            {
                var happened = (IBusinessEvent)recorded.Data;
                return new TimelineStep(recorded.Version, TypeName(recorded.Data), happened.At, happened.By, recorded.Timestamp, recorded.Data);
            })];

    /// <summary>How every timeline names an event's type: its record's name in camelCase (<c>tipAssessed</c>).</summary>
    public static string TypeName(object data) => JsonNamingPolicy.CamelCase.ConvertName(data.GetType().Name);
}
