using System.Net.Sockets;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WardLink.EventSourcing;

/// <summary>
/// Readiness of the broker as the service sees it. While the bus's connection is up (MassTransit's own health
/// <see cref="BusHealthStatus.Healthy"/>), that connection answers for it and no other is opened: a probe's connection to a
/// broker that hangs (its process stopped) is never accepted, and a connection per probe filled its queue of connections
/// waiting to be accepted until every probe failed, readiness turning some minutes into the hang for no change of its own.
/// Otherwise the check speaks first: RabbitMQ must answer AMQP's protocol header with its first frame within
/// <see cref="Timeout"/>, so a broker killed, unreachable or hung fails within one probe once the bus has lost its connection
/// (at once for a broker killed: its connections are reset; once the bus's heartbeats, <see cref="Messaging.Heartbeat"/>, find the
/// connection dead for one that hangs or a network that drops everything: 34 s into a stopped RabbitMQ, measured).
/// </summary>
public sealed class BrokerHealthCheck(IConfiguration configuration, IBusControl bus) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>AMQP 0-9-1's protocol header, which a broker answers with its <c>connection.start</c> frame.</summary>
    private static readonly byte[] ProtocolHeader = "AMQP\0\0\u0009\u0001"u8.ToArray();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broker = BrokerAddress.Parse(configuration.GetConnectionString(Messaging.ConnectionName) ?? string.Empty);
        if (bus.CheckHealth().Status == BusHealthStatus.Healthy)
        {
            return HealthCheckResult.Healthy($"RabbitMQ at {broker.Host}:{broker.Port} holds the bus's connection.");
        }

        using var answered = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        answered.CancelAfter(Timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(broker.Host, broker.Port, answered.Token);
            await socket.SendAsync(ProtocolHeader, answered.Token);
            var first = new byte[1];
            return await socket.ReceiveAsync(first, answered.Token) == 1
                ? HealthCheckResult.Healthy($"RabbitMQ at {broker.Host}:{broker.Port} answers.")
                : HealthCheckResult.Unhealthy($"RabbitMQ at {broker.Host}:{broker.Port} closed the connection unanswered.");
        }
        catch (Exception refused) when (refused is SocketException || (refused is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"RabbitMQ at {broker.Host}:{broker.Port} does not answer.");
        }
    }
}
