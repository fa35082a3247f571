using MassTransit;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Audit;

namespace WardLink.UnitTests;

/// <summary>Who waits for what is not known yet (<see cref="WaitQueues"/>): the idempotent consumers, so every consumer but one is one.</summary>
public sealed class ConsumersWaitTests
{
    [Fact]
    public void Every_consumer_of_the_services_is_an_idempotent_consumer_but_the_checkpoints_which_need_nothing_known()
    {
        var assemblies = new[] { typeof(IdempotentConsumer<>).Assembly, typeof(Tips.TipsService).Assembly, typeof(Incidents.IncidentsService).Assembly, typeof(Patrols.PatrolsService).Assembly, typeof(Partners.PartnersService).Assembly };
        var consumers = assemblies.SelectMany(assembly => assembly.GetTypes())
            .Where(type => type is { IsClass: true, IsAbstract: false } && type.GetInterfaces().Any(face => face.IsGenericType && face.GetGenericTypeDefinition() == typeof(IConsumer<>)))
            .ToList();

        Assert.True(consumers.Count > 10, $"only {consumers.Count} consumers found");
        Assert.Equal(
            [typeof(ChainCheckpointedConsumer)],
            consumers.Where(type => !IsIdempotent(type)));
    }

    private static bool IsIdempotent(Type type) =>
        type.BaseType is { } parent && ((parent.IsGenericType && parent.GetGenericTypeDefinition() == typeof(IdempotentConsumer<>)) || IsIdempotent(parent));
}
