using System.Net;
using System.Net.Sockets;
using System.Text;
using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// The system whose gateway admits six requests at a time, queues none, lets an anonymous address or a partner's client have
/// two in flight, and every anonymous address three together.
/// </summary>
public sealed class FewTurnsSystem : WardLinkSystem
{
    public const int InFlight = 2;

    public const int AnonymousTogether = 3;

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["Admission:MaxInFlight"] = $"{SlowReaderTests.Turns}",
        ["Admission:MaxQueued"] = "0",
        ["RateLimits:AnonymousInFlight"] = $"{InFlight}",
        ["RateLimits:PartnerInFlight"] = $"{InFlight}",
        ["RateLimits:AnonymousTotalInFlight"] = $"{AnonymousTogether}",
    };
}

/// <summary>
/// An anonymous caller, or a partner's client sending its token where none is read (the API reference's files: it counts as
/// its address there, docs/api.md), that asks for large answers and does not read them holds only the few
/// admission turns it may have: an answer the gateway cannot send keeps its request, and its turn, in flight. (A probe held
/// all 128 of the gateway's turns from one address with 130 requests for the API reference's 4.9 MB script, and every
/// other caller was refused with 503 while its connections stayed open; another then did the same from 17 addresses, 8
/// requests each: anonymous callers together hold at most half the turns.)
/// </summary>
[Collection(GatewaySurface.Collection)]
public sealed class SlowReaderTests(FewTurnsSystem system) : IClassFixture<FewTurnsSystem>
{
    public const int Turns = 6;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_caller_that_reads_no_answer_holds_only_its_share_of_the_turns_and_everyone_else_is_served(bool partner)
    {
        using var police = await EveryTurnFreeAsync();
        using var gateway = system.CreateAnonymousGatewayClient();
        var authorization = partner ? $"Authorization: Bearer {await WardLinkSystem.RequestTokenAsync(gateway, "test-partner-a", "test-partner-a-secret")}\r\n" : string.Empty;
        var readers = new List<Socket>();
        try
        {
            // One request at a time, each answer's status line read before the next is sent, the rest of it never.
            var statuses = new List<string>();
            for (var i = 0; i < FewTurnsSystem.InFlight + 3; i++)
            {
                statuses.Add(await AskAndReadNothingAsync(readers, IPAddress.Parse(partner ? "127.0.0.7" : "127.0.0.5"), authorization));
            }

            AssertServedThenRefused(statuses, FewTurnsSystem.InFlight, "429", retryAfter: 1);

            // Meanwhile the police, and another anonymous address, are served.
            Assert.Equal(HttpStatusCode.OK, (await police.GetAsync("/api/tips/stats?year=2024", Ct)).StatusCode);
            using var other = system.CreateClientFrom(IPAddress.Parse("127.0.0.6"));
            Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(ApiDocument.Path, Ct)).StatusCode);
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }
    }

    /// <summary>
    /// However many addresses anonymous callers use, one request each that reads no answer, they hold at most
    /// <c>RateLimits:AnonymousTotalInFlight</c> turns together; the next is admission's <c>503</c> at once, and the
    /// gateway's clients, the police and a partner, are served meanwhile.
    /// </summary>
    [Fact]
    public async Task Anonymous_callers_from_many_addresses_that_read_no_answer_hold_only_their_share_together_and_the_clients_are_served()
    {
        using var police = await EveryTurnFreeAsync();
        using var partner = await system.CreateGatewayClientAsync("test-partner-a");
        var readers = new List<Socket>();
        try
        {
            var statuses = new List<string>();
            for (var i = 0; i < FewTurnsSystem.AnonymousTogether + 2; i++)
            {
                statuses.Add(await AskAndReadNothingAsync(readers, IPAddress.Parse($"127.0.0.{20 + i}"), authorization: string.Empty));
            }

            AssertServedThenRefused(statuses, FewTurnsSystem.AnonymousTogether, "503", retryAfter: 5);

            Assert.Equal(HttpStatusCode.OK, (await police.GetAsync("/api/tips/stats?year=2024", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/api/tips?limit=1", Ct)).StatusCode);

            // A client gets its token meanwhile: a token request is not among the anonymous callers' share.
            using var newcomer = system.CreateClientFrom(IPAddress.Parse("127.0.0.31"));
            Assert.NotEmpty(await WardLinkSystem.RequestTokenAsync(newcomer, "test-auditor", "test-auditor-secret"));
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }

        // Once the readers are gone, another anonymous address is served again.
        using var other = system.CreateClientFrom(IPAddress.Parse("127.0.0.30"));
        await Eventually.Get(
            async () => (await other.GetAsync(ApiDocument.Path, Ct)).StatusCode == HttpStatusCode.OK ? (object)true : null,
            "an anonymous address served once the readers went away");
    }

    /// <summary>
    /// Waits until every one of the gateway's turns is free, and every anonymous one (the case before let its readers go; the
    /// gateway ends their requests as it notices); a police client as the gateway knows them (a token it issued, naming its
    /// client): no share bounds them.
    /// </summary>
    private async Task<HttpClient> EveryTurnFreeAsync()
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        var police = await system.CreateGatewayClientAsync("test-police");
        var anonymous = Enumerable.Range(0, FewTurnsSystem.AnonymousTogether).Select(i => system.CreateClientFrom(IPAddress.Parse($"127.0.0.{40 + i}"))).ToList();
        try
        {
            await Eventually.Get(
                async () => (await Task.WhenAll(Enumerable.Range(0, Turns).Select(async _ => (await police.GetAsync("/api/tips/stats?year=2024", Ct)).StatusCode)))
                    .Concat(await Task.WhenAll(anonymous.Select(async client => (await client.GetAsync(ApiDocument.Path, Ct)).StatusCode)))
                    .All(status => status == HttpStatusCode.OK) ? (object)true : null,
                $"all {Turns} of the gateway's turns free, and all {FewTurnsSystem.AnonymousTogether} of the anonymous callers'");
        }
        finally
        {
            anonymous.ForEach(client => client.Dispose());
        }

        return police;
    }

    /// <summary>Sends a request for the API reference's 4.9 MB script from <paramref name="from"/> and reads its status line and headers, the rest never; the socket is kept open in <paramref name="readers"/>.</summary>
    private async Task<string> AskAndReadNothingAsync(List<Socket> readers, IPAddress from, string authorization)
    {
        var reader = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 2048 };
        readers.Add(reader);
        reader.Bind(new IPEndPoint(from, 0));
        await reader.ConnectAsync(system.GatewayAddress.Host, system.GatewayAddress.Port, Ct);
        await reader.SendAsync(Encoding.ASCII.GetBytes($"GET {ApiDocument.UiPath}/scalar.js HTTP/1.1\r\nHost: {system.GatewayAddress.Authority}\r\n{authorization}\r\n"), Ct);
        return await HeadOfAsync(reader);
    }

    /// <summary>The first <paramref name="served"/> answers a <c>200</c>, each after them a <paramref name="refused"/> problem with <c>Retry-After: <paramref name="retryAfter"/></c>.</summary>
    private static void AssertServedThenRefused(List<string> heads, int served, string refused, int retryAfter)
    {
        Assert.All(heads.Take(served), head => Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal));
        Assert.All(heads.Skip(served), head =>
        {
            Assert.StartsWith($"HTTP/1.1 {refused}", head, StringComparison.Ordinal);
            Assert.Contains($"Retry-After: {retryAfter}\r\n", head, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("application/problem+json", head, StringComparison.Ordinal);
        });
    }

    /// <summary>The status line and headers of the answer on <paramref name="socket"/>, read a little at a time.</summary>
    private static async Task<string> HeadOfAsync(Socket socket)
    {
        var head = new StringBuilder();
        var buffer = new byte[256];
        int read;
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await socket.ReceiveAsync(buffer, Ct)) > 0)
        {
            head.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }

        return head.ToString();
    }
}
