using Npgsql;
using WardLink.EventSourcing;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Operations;

/// <summary>What Npgsql itself throws on a transaction whose connection PostgreSQL ended (a restart, an operator), against the real server.</summary>
public sealed class DatabaseOutageTests
{
    /// <summary>
    /// Every statement sent on a transaction after PostgreSQL ended its connection fails as an outage (a 503, a message's retry),
    /// the first (the server's own word) and those after it, which Npgsql refuses without a server ("Transaction is already
    /// completed"): the faults probe's PostgreSQL restart made a step that loaded its record after taking its turn a 500.
    /// </summary>
    [Fact]
    public async Task Every_statement_on_a_transaction_whose_connection_the_server_ended_fails_as_an_outage()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = new NpgsqlConnectionStringBuilder((await TestInfrastructure.GetAsync()).PostgresServer) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var operator_ = new NpgsqlConnection(server))
        {
            await operator_.OpenAsync(ct);
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend($1)", operator_) { Parameters = { new() { Value = connection.ProcessID } } };
            Assert.Equal(true, await terminate.ExecuteScalarAsync(ct));
        }

        var failures = new List<Exception>();
        for (var statement = 0; statement < 3; statement++)
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT 1", connection, transaction);
                await command.ExecuteScalarAsync(ct);
            }
            catch (Exception failed) when (failed is NpgsqlException or InvalidOperationException)
            {
                failures.Add(failed);
            }
        }

        Assert.Equal(3, failures.Count);
        Assert.All(failures, failed => Assert.True(DatabaseOutages.Is(failed), $"{failed.GetType().Name} ({failed.Source}): {failed.Message}"));
        Assert.Contains(failures, failed => failed is InvalidOperationException);
    }
}
