using Microsoft.Extensions.Time.Testing;
using WardLink.EventSourcing.Relay;

namespace WardLink.UnitTests;

/// <summary>
/// The relay waits for a publish no longer than its timeout, whatever the publish does with its token: one under way when the bus
/// gave its connection up to a hung broker ignored its cancellation and never ended, and the incidents service published nothing
/// again (a probe saw its lag grow for minutes after the broker came back).
/// </summary>
public sealed class RelayPublishTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_publish_that_ignores_its_token_and_never_ends_is_given_up_at_the_timeout_its_token_cancelled()
    {
        var clock = new FakeTimeProvider();
        CancellationToken given = default;
        var waiting = EventRelay.WithinAsync(
            token =>
            {
                given = token;
                return new TaskCompletionSource().Task;
            },
            Timeout,
            clock,
            TestContext.Current.CancellationToken);

        clock.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.False(waiting.IsCompleted);
        Assert.False(given.IsCancellationRequested);
        clock.Advance(TimeSpan.FromTicks(1));

        await Assert.ThrowsAsync<TimeoutException>(() => waiting);
        Assert.True(given.IsCancellationRequested);
    }

    [Fact]
    public async Task A_publish_that_ends_in_time_is_waited_for_and_its_token_left_alone()
    {
        var clock = new FakeTimeProvider();
        CancellationToken given = default;
        var published = new TaskCompletionSource();
        var waiting = EventRelay.WithinAsync(
            token =>
            {
                given = token;
                return published.Task;
            },
            Timeout,
            clock,
            TestContext.Current.CancellationToken);

        clock.Advance(Timeout / 2);
        published.SetResult();

        await waiting;
        Assert.False(given.IsCancellationRequested);
    }
}
