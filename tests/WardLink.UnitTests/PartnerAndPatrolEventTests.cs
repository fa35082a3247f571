using System.Reflection;
using System.Text.Json;
using WardLink.Domain;
using WardLink.Partners;
using WardLink.Patrols;
using PartnerKind = WardLink.Contracts.Partners.PartnerKind;
using SiteKind = WardLink.Contracts.Partners.SiteKind;

namespace WardLink.UnitTests;

/// <summary>Every event of the partners and patrols services says when it happened and who did it through <see cref="IBusinessEvent"/>.</summary>
public sealed class PartnerAndPatrolEventTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(7));

    public static TheoryData<Type> EventTypes => [.. EventsOf(typeof(PartnerState).Assembly).Concat(EventsOf(typeof(ShiftState).Assembly))];

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Every_event_a_state_is_built_from_names_its_business_time_and_actor(Type eventType) =>
        Assert.True(typeof(IBusinessEvent).IsAssignableFrom(eventType), $"{eventType.Name} does not implement IBusinessEvent.");

    [Fact]
    public void The_events_are_found_in_both_services()
    {
        Assert.Contains(typeof(PartnerRegistered), EventsOf(typeof(PartnerState).Assembly));
        Assert.Contains(typeof(CameraDecommissioned), EventsOf(typeof(PartnerState).Assembly));
        Assert.Contains(typeof(ShiftMissed), EventsOf(typeof(ShiftState).Assembly));
        Assert.Contains(typeof(WardLink.Patrols.CheckpointMissed), EventsOf(typeof(ShiftState).Assembly));
    }

    [Fact]
    public void A_registration_names_its_time_and_actor_through_the_interface_and_is_stored_under_its_own_names()
    {
        var partnerId = Guid.CreateVersion7();
        IBusinessEvent partner = new PartnerRegistered(partnerId, "Eye Hospital", PartnerKind.Hospital, Now, "ward-committee");
        IBusinessEvent site = new SiteRegistered(Guid.CreateVersion7(), partnerId, "Gate", SiteKind.Gate, 19.8, 105.7, Now.AddDays(1), "hospital-security");

        Assert.Equal((Now, "ward-committee"), (partner.At, partner.By));
        Assert.Equal((Now.AddDays(1), "hospital-security"), (site.At, site.By));
        Assert.Equal(
            ["Kind", "Name", "PartnerId", "RegisteredAt", "RegisteredBy"],
            JsonDocument.Parse(JsonSerializer.Serialize((PartnerRegistered)partner)).RootElement.EnumerateObject().Select(property => property.Name).Order());
        Assert.Equal(
            ["Kind", "Latitude", "Longitude", "Name", "PartnerId", "RegisteredAt", "RegisteredBy", "SiteId"],
            JsonDocument.Parse(JsonSerializer.Serialize((SiteRegistered)site)).RootElement.EnumerateObject().Select(property => property.Name).Order());
    }

    /// <summary>The events a service's states are built from: what their <c>Create</c> and <c>Apply</c> methods take.</summary>
    private static IEnumerable<Type> EventsOf(Assembly service) => service.GetTypes()
        .Where(type => type.Name.EndsWith("State", StringComparison.Ordinal))
        .SelectMany(state => state.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(method => method.Name is "Create" or "Apply" && method.GetParameters().Length == 1)
        .Select(method => method.GetParameters()[0].ParameterType)
        .Distinct();
}
