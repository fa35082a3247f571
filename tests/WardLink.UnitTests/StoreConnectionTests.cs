using Npgsql;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>The services' store connections: no reset on return, prepared statements and bounded waits unless the connection string says otherwise.</summary>
public sealed class StoreConnectionTests
{
    [Fact]
    public void A_connection_string_without_them_gets_no_reset_on_close_and_auto_prepare_and_keeps_the_rest()
    {
        var tuned = new NpgsqlConnectionStringBuilder(EventStore.Tuned("Host=db;Port=5433;Username=tips;Password=secret;Database=wardlink_tips"));

        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.Equal((5, 12, -1), (tuned.Timeout, tuned.CommandTimeout, tuned.CancellationTimeout));
        Assert.Equal(("db", 5433, "tips", "secret", "wardlink_tips"), (tuned.Host, tuned.Port, tuned.Username, tuned.Password, tuned.Database));
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0;Timeout=3;Command Timeout=0;Cancellation Timeout=0")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0;timeout=3;CommandTimeout=0;CancellationTimeout=0")]
    public void What_the_connection_string_sets_stays(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(EventStore.Tuned(connectionString));

        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.Equal((3, 0, 0), (tuned.Timeout, tuned.CommandTimeout, tuned.CancellationTimeout));
    }
}
