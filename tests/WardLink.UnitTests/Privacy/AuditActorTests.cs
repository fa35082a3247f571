using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using WardLink.Audit;
using WardLink.Domain;
using WardLink.ServiceDefaults.Security;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Tips;

namespace WardLink.UnitTests.Privacy;

/// <summary>
/// The audit log names an event's actor and business time as the event itself does
/// (<see cref="IBusinessEvent"/>), for every event type of every service, whatever its stored
/// properties are called: an event with several times (a referral: when the tip came in, when it
/// was referred) is dated by the one it names, not by the first, in the ward's local time (UTC+7).
/// </summary>
public sealed class AuditActorTests
{
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web);

    public static TheoryData<Type> BusinessEvents =>
        [.. new[] { typeof(TipState), typeof(IncidentState), typeof(PartnerState), typeof(ShiftState) }
            .SelectMany(state => state.Assembly.GetExportedTypes())
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IBusinessEvent).IsAssignableFrom(type))];

    [Theory]
    [MemberData(nameof(BusinessEvents))]
    public void The_audit_reads_the_actor_and_business_time_the_event_names(Type type)
    {
        var recorded = RuntimeHelpers.GetUninitializedObject(type);
        var texts = type.GetProperties().Where(property => property.PropertyType == typeof(string) && property.CanWrite).ToList();
        var times = type.GetProperties().Where(property => property.PropertyType == typeof(DateTimeOffset) && property.CanWrite).ToList();
        texts.ForEach(property => property.SetValue(recorded, $"{property.Name} of {type.Name}"));
        // Stored in UTC (as the services store their times) or with the offset a client sent: shown in the ward's local time.
        TimeSpan[] offsets = [TimeSpan.Zero, TimeSpan.FromHours(-5), TimeSpan.FromHours(9)];
        times.ForEach(property => property.SetValue(
            recorded, new DateTimeOffset(2024, 12, 31, 20, 0, 0, offsets[times.IndexOf(property) % offsets.Length]).AddMinutes(7 * (times.IndexOf(property) + 1))));
        var stored = JsonSerializer.Serialize(recorded, type, Stored);
        var named = (IBusinessEvent)recorded;

        foreach (var audience in Enum.GetValues<Audience>())
        {
            var (_, actor, at) = AuditRedaction.Read(Encoding.UTF8.GetBytes(stored), type, audience);
            Assert.Equal(named.By, actor);
            Assert.Equal(named.At, at);
            Assert.Equal(WardTime.Offset, at?.Offset);
        }
    }

    /// <summary>The feed serves what no treatment touches as stored: for every audience it still shows exactly what redacting shows.</summary>
    [Theory]
    [MemberData(nameof(BusinessEvents))]
    public void Reading_a_stored_event_shows_each_audience_what_redacting_it_shows(Type type)
    {
        var recorded = RuntimeHelpers.GetUninitializedObject(type);
        foreach (var property in type.GetProperties().Where(property => property.PropertyType == typeof(string) && property.CanWrite))
        {
            property.SetValue(recorded, $"Nguyen Van A, 0912 345 678, wrote in {property.Name}");
        }

        var stored = JsonSerializer.Serialize(recorded, type, Stored);
        foreach (var audience in Enum.GetValues<Audience>())
        {
            Assert.Equal(
                AuditRedaction.Redact(System.Text.Json.Nodes.JsonNode.Parse(stored), type, audience)?.ToJsonString(),
                AuditRedaction.Read(Encoding.UTF8.GetBytes(stored), type, audience).Data?.ToJsonString());
        }
    }

    [Fact]
    public void Every_service_s_events_are_walked() =>
        Assert.Superset(
            new HashSet<Type> { typeof(TipReferred), typeof(TipOutcomeRecorded), typeof(IncidentReported), typeof(PartnerRegistered), typeof(ShiftMissed) },
            BusinessEvents.Select(row => row.Data).ToHashSet());
}
