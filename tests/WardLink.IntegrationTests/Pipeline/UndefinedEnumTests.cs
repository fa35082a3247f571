using System.Text.Json;
using MassTransit;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>
/// Every message of the contracts that carries an enum (at any depth), sent with each enum in turn outside the enum (999 and
/// -1) to every queue of the four services it reaches: refused as malformed (parked at once in the queue's <c>_error</c>
/// queue, naming the enum and the value) by every queue that reads it, and applied by none. A queue that reads no version of
/// it sets it aside in its <c>_skipped</c> queue, as any message it does not read (partners' webhooks, a v1 referral).
/// </summary>
public sealed class UndefinedEnumTests(ServiceGroup services) : IClassFixture<ServiceGroup>
{
    private static readonly string[] Services = [PartnersService.Name, TipsService.Name, IncidentsService.Name, PatrolsService.Name];

    /// <summary>Values no enum of the contracts defines: past the last, and below the first.</summary>
    private static readonly long[] Undefined = [999, -1];

    /// <summary>Where a queue puts a message it refused, and one it does not read.</summary>
    private static readonly string[] SetAside = ["_error", "_skipped"];

    [Fact]
    public async Task A_message_with_a_value_outside_an_enum_it_carries_is_parked_by_every_queue_that_reads_it_and_applied_nowhere()
    {
        await services.StartAsync<PartnersService>(PartnersService.Name);
        await services.StartAsync<TipsService>(TipsService.Name);
        await services.StartAsync<IncidentsService>(IncidentsService.Name);
        await services.StartAsync<PatrolsService>(PatrolsService.Name);
        await using var bus = await TestBus.StartAsync(services.VirtualHost);

        var sent = new Dictionary<Guid, (Type Message, EnumSlot Slot, long Value, IReadOnlySet<string> Queues)>();
        foreach (var message in ContractSamples.Messages)
        {
            var queues = await services.Infrastructure.QueuesFedByAsync(services.VirtualHost, ContractSamples.ExchangeOf(message));
            foreach (var slot in ContractSamples.EnumsOf(message))
            {
                foreach (var value in Undefined)
                {
                    var messageId = NewId.NextGuid();
                    sent[messageId] = (message, slot, value, queues);
                    await bus.PublishAsync(ContractSamples.Sample(message, slot, value), message, messageId);
                }
            }
        }

        var expected = sent.SelectMany(message => message.Value.Queues.Select(queue => (MessageId: message.Key, Queue: queue))).ToHashSet();
        Assert.Contains(expected, delivery => delivery.Queue == "incidents-tip-referred");
        var set = new Dictionary<(Guid MessageId, string Queue), (string Where, JsonElement Headers)>();
        await Eventually.Get(
            async () =>
            {
                foreach (var queue in expected.Select(delivery => delivery.Queue).Distinct())
                {
                    foreach (var where in SetAside)
                    {
                        foreach (var parked in await services.Infrastructure.TakeMessagesAsync(services.VirtualHost, queue + where, 100))
                        {
                            var messageId = JsonDocument.Parse(parked.GetProperty("payload").GetString()!).RootElement.GetProperty("messageId").GetGuid();
                            set[(messageId, queue)] = (where, parked.GetProperty("properties").GetProperty("headers").Clone());
                        }
                    }
                }

                return expected.All(set.ContainsKey) ? "all" : null;
            },
            $"every one of {expected.Count} deliveries of {sent.Count} messages in its queue's _error or _skipped queue",
            TimeSpan.FromSeconds(120));

        foreach (var (messageId, queue) in expected)
        {
            var (message, slot, value, _) = sent[messageId];
            var (where, headers) = set[(messageId, queue)];
            var what = $"{message.Name} with {slot.Path} {value} on {queue}";
            if (where == "_error")
            {
                Assert.True(headers.GetProperty("MT-Fault-Message").GetString()!.Contains($"{slot.EnumType.Name} has no value {value}", StringComparison.Ordinal), $"{what}: {headers}");

                // Parked at once, as a body that is not JSON is: reading it again would fail again.
                Assert.False(headers.TryGetProperty("MT-Fault-RetryCount", out _), $"{what} was retried: {headers}");
            }
        }

        // Each message is refused by at least one queue that reads it, where one does.
        foreach (var (messageId, (message, slot, value, queues)) in sent.Where(message => message.Value.Queues.Count > 0))
        {
            Assert.True(queues.Any(queue => set[(messageId, queue)].Where == "_error"), $"{message.Name} with {slot.Path} {value}: read by no queue of {string.Join(", ", queues)}");
        }

        foreach (var service in Services)
        {
            Assert.DoesNotContain(await services.ProcessedByAsync(service), processed => sent.ContainsKey(processed.MessageId));
        }
    }
}
