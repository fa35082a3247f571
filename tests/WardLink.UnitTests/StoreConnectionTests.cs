using Npgsql;
using WardLink.EventSourcing;

namespace WardLink.UnitTests;

/// <summary>The services' store connections: no reset on return and prepared statements unless the connection string says otherwise.</summary>
public sealed class StoreConnectionTests
{
    [Fact]
    public void A_connection_string_without_them_gets_no_reset_on_close_and_auto_prepare_and_keeps_the_rest()
    {
        var tuned = new NpgsqlConnectionStringBuilder(EventStore.Tuned("Host=db;Port=5433;Username=tips;Password=secret;Database=wardlink_tips"));

        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.Equal(("db", 5433, "tips", "secret", "wardlink_tips"), (tuned.Host, tuned.Port, tuned.Username, tuned.Password, tuned.Database));
    }

    [Fact]
    public void What_the_connection_string_sets_stays()
    {
        var tuned = new NpgsqlConnectionStringBuilder(EventStore.Tuned("Host=db;No Reset On Close=false;Max Auto Prepare=0"));

        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(0, tuned.MaxAutoPrepare);
    }
}
