using WardLink.Domain;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>Reads and the audit state event and state type names with a documented longest length (<see cref="BusinessEvents.MaxTypeNameLength"/>).</summary>
public sealed class EventTypeNameTests
{
    [Fact]
    public void Every_type_of_the_services_is_named_within_the_documented_length_even_with_an_underscore_between_its_words()
    {
        var assemblies = new[]
        {
            typeof(EventStore), typeof(Incidents.IncidentsService), typeof(Patrols.PatrolsService), typeof(Tips.TipsService), typeof(Partners.PartnersService),
            typeof(WardLink.Contracts.Tips.TipReferred),
        }.Select(type => type.Assembly);

        var tooLong = assemblies
            .SelectMany(assembly => assembly.GetExportedTypes())
            .Select(type => type.Name)
            .Where(name => name.Length + name.Count(char.IsUpper) > BusinessEvents.MaxTypeNameLength)
            .ToList();

        Assert.Empty(tooLong);
    }
}
