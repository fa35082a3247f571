using System.Globalization;
using System.Text.RegularExpressions;
using CsCheck;
using WardLink.EventSourcing;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>The wait queues' schedule, names and count of waits (<see cref="WaitQueues"/>).</summary>
public sealed class WaitQueuesTests
{
    [Fact]
    public void A_message_waits_from_100_ms_growing_to_30_s_about_four_minutes_in_all_in_four_queues()
    {
        var total = WaitQueues.Schedule.Aggregate(TimeSpan.Zero, (sum, delay) => sum + delay);

        Assert.InRange(total, TimeSpan.FromMinutes(3.5), TimeSpan.FromMinutes(4.5));
        Assert.Equal(TimeSpan.FromMilliseconds(100), WaitQueues.Schedule[0]);
        Assert.Equal(TimeSpan.FromSeconds(30), WaitQueues.Schedule[^1]);
        Assert.Equal(WaitQueues.Schedule.Order(), WaitQueues.Schedule);
        Assert.Equal(
            ["tips-wait-100ms", "tips-wait-1s", "tips-wait-5s", "tips-wait-30s"],
            WaitQueues.Schedule.Distinct().Select(delay => WaitQueues.QueueOf("tips", delay)));
    }

    /// <summary>A service's broker user may declare, publish to and bind its wait queues and the exchange that returns what waited.</summary>
    [Fact]
    public void Every_service_s_broker_user_may_declare_publish_to_and_bind_its_wait_queues_and_their_way_back()
    {
        foreach (var service in BrokerPermissions.Services)
        {
            var permissions = BrokerPermissions.Of(service);
            foreach (var name in WaitQueues.Schedule.Distinct().Select(delay => WaitQueues.QueueOf(service, delay)).Append(WaitQueues.ReturnOf(service)))
            {
                Assert.All(
                    new[] { permissions.Configure, permissions.Write, permissions.Read },
                    regex => Assert.True(Regex.IsMatch(name, regex, RegexOptions.None, TimeSpan.FromSeconds(1)), $"{service} may not use {name} ({regex})"));
            }
        }
    }

    [Fact]
    public void A_count_of_waits_is_read_back_as_written_whatever_the_other_headers() =>
        Gen.Int[0, int.MaxValue].Select(Gen.Dictionary(Gen.String[1, 20].Where(name => !IsWaitsOrFault(name)), Gen.String.Select(text => (object)text)))
            .Sample((waits, others) => WaitQueues.WaitsOf(others.Append(Header(waits.ToString(CultureInfo.InvariantCulture)))) == waits);

    [Fact]
    public void No_count_of_waits_counts_none() => Assert.Equal(0, WaitQueues.WaitsOf([]));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData(" 3")]
    [InlineData("3 ")]
    [InlineData("3.0")]
    [InlineData("0x3")]
    [InlineData("\u0663")]
    [InlineData("2147483648")]
    [InlineData("three")]
    public void What_is_not_a_count_of_waits_counts_none(string header) => Assert.Equal(0, WaitQueues.WaitsOf([Header(header)]));

    [Fact]
    public void A_count_that_is_no_text_counts_none() => Assert.Equal(0, WaitQueues.WaitsOf([new(WaitQueues.Header, 12)]));

    /// <summary>A message moved back from the error queue (MassTransit's fault headers, in any letter case) waits anew, whatever its count.</summary>
    [Fact]
    public void A_message_parked_and_moved_back_waits_anew() =>
        Gen.Int[0, int.MaxValue].Select(Gen.OneOf(Gen.Const("MT-Fault-ExceptionType"), Gen.Const("MT-Fault-Timestamp"), Gen.Const("mt-fault-message")), Gen.Bool)
            .Sample((waits, fault, faultFirst) =>
            {
                KeyValuePair<string, object>[] headers = [Header(waits.ToString(CultureInfo.InvariantCulture)), new(fault, "WardLink.EventSourcing.NotKnownYetException")];
                return WaitQueues.WaitsOf(faultFirst ? headers.Reverse() : headers) == 0;
            });

    private static KeyValuePair<string, object> Header(string value) => new(WaitQueues.Header, value);

    private static bool IsWaitsOrFault(string name) =>
        name.Equals(WaitQueues.Header, StringComparison.OrdinalIgnoreCase) || name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A wait queue's declaration that fails is thrown on so that MassTransit's receive transport tries the channel again (its
/// policy, RabbitMqHostConfiguration in 8.5, retries a <see cref="MassTransit.ConnectionException"/>, and an interruption whose
/// reply code is 400 or more, nothing else): the faults probe closed a service's broker connection while it declared, the
/// channel was disposed under it, and one queue of the service consumed nothing again, its service still ready.
/// </summary>
public sealed class WaitQueueDeclarationTests
{
    [Fact]
    public void A_declaration_cut_on_the_way_is_retried_as_a_lost_connection_and_a_refusal_as_it_came()
    {
        Exception[] cut =
        [
            new ObjectDisposedException("Channel"),
            new RabbitMQ.Client.Exceptions.OperationInterruptedException(new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Peer, 320, "CONNECTION_FORCED - Closed via management plugin")),
            new RabbitMQ.Client.Exceptions.AlreadyClosedException(new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Library, 200, "Closed")),
            new IOException("Unable to read data from the transport connection."),
            new OperationCanceledException(),
        ];
        foreach (var failure in cut)
        {
            var thrown = Assert.IsType<MassTransit.RabbitMqConnectionException>(WaitQueues.AsRetried(failure, "tips"));
            Assert.Same(failure, thrown.InnerException);
            Assert.Contains("The wait queues of tips could not be declared", thrown.Message, StringComparison.Ordinal);
        }

        foreach (var code in new ushort[] { 403, 404, 406 })
        {
            var refused = new RabbitMQ.Client.Exceptions.OperationInterruptedException(new RabbitMQ.Client.Events.ShutdownEventArgs(RabbitMQ.Client.ShutdownInitiator.Peer, code, "PRECONDITION_FAILED - inequivalent arg 'x-queue-type'"));
            Assert.True(WaitQueues.IsRefusal(refused));
            Assert.Same(refused, WaitQueues.AsRetried(refused, "tips"));
        }
    }
}
