using System.Net;
using System.Net.Sockets;
using System.Text;
using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// The system whose gateway admits six requests at a time, queues none, lets an anonymous address or a partner's client have
/// two in flight, and every anonymous address four together, one of them kept for the public's tip operations.
/// </summary>
public sealed class FewTurnsSystem : WardLinkSystem
{
    public const int InFlight = 2;

    public const int AnonymousTogether = 4;

    public const int PublicTipsReserved = 1;

    /// <summary>The anonymous callers' turns together outside the public's tip operations.</summary>
    public const int OutsideTips = AnonymousTogether - PublicTipsReserved;

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["Admission:MaxInFlight"] = $"{SlowReaderTests.Turns}",
        ["Admission:MaxQueued"] = "0",
        ["RateLimits:AnonymousInFlight"] = $"{InFlight}",
        ["RateLimits:PartnerInFlight"] = $"{InFlight}",
        ["RateLimits:AnonymousTotalInFlight"] = $"{AnonymousTogether}",
        ["RateLimits:PublicTipsReservedInFlight"] = $"{PublicTipsReserved}",
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
    /// <c>RateLimits:AnonymousTotalInFlight</c> turns together, less those kept for the public's tip operations
    /// (<c>RateLimits:PublicTipsReservedInFlight</c>); the next is admission's <c>503</c> at once, and the gateway's clients,
    /// the police and a partner, are served meanwhile, and so is a tipster (a probe kept the public's tip intake at
    /// <c>503</c> with 64 readers that asked again each time they were cut).
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
            for (var i = 0; i < FewTurnsSystem.OutsideTips + 2; i++)
            {
                statuses.Add(await AskAndReadNothingAsync(readers, IPAddress.Parse($"127.0.0.{20 + i}"), authorization: string.Empty));
            }

            AssertServedThenRefused(statuses, FewTurnsSystem.OutsideTips, "503", retryAfter: 5);

            Assert.Equal(HttpStatusCode.OK, (await police.GetAsync("/api/tips/stats?year=2024", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync("/api/tips?limit=1", Ct)).StatusCode);
            using var tipster = system.CreateClientFrom(IPAddress.Parse("127.0.0.32"));
            Assert.Equal(HttpStatusCode.Created, (await tipster.PostAsync("/api/public/tips", RateLimitTests.PublicTip(), Ct)).StatusCode);

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
        var anonymous = Enumerable.Range(0, FewTurnsSystem.OutsideTips).Select(i => system.CreateClientFrom(IPAddress.Parse($"127.0.0.{40 + i}"))).ToList();
        try
        {
            await Eventually.Get(
                async () => (await Task.WhenAll(Enumerable.Range(0, Turns).Select(async _ => (await police.GetAsync("/api/tips/stats?year=2024", Ct)).StatusCode)))
                    .Concat(await Task.WhenAll(anonymous.Select(async client => (await client.GetAsync(ApiDocument.Path, Ct)).StatusCode)))
                    .All(status => status == HttpStatusCode.OK) ? (object)true : null,
                $"all {Turns} of the gateway's turns free, and all {FewTurnsSystem.OutsideTips} of the anonymous callers' outside the public's tips");
        }
        finally
        {
            anonymous.ForEach(client => client.Dispose());
        }

        return police;
    }

    /// <inheritdoc cref="AskAndReadNothingAsync(WardLinkSystem, List{Socket}, IPAddress, string)"/>
    private Task<string> AskAndReadNothingAsync(List<Socket> readers, IPAddress from, string authorization) =>
        AskAndReadNothingAsync(system, readers, from, authorization);

    /// <summary>Sends a request for the API reference's 4.9 MB script from <paramref name="from"/> and reads its status line and headers, the rest never; the socket is kept open in <paramref name="readers"/>.</summary>
    internal static async Task<string> AskAndReadNothingAsync(WardLinkSystem system, List<Socket> readers, IPAddress from, string authorization)
    {
        var reader = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 2048 };
        readers.Add(reader);
        reader.Bind(new IPEndPoint(from, 0));
        await reader.ConnectAsync(system.GatewayAddress.Host, system.GatewayAddress.Port, Ct);
        await reader.SendAsync(Encoding.ASCII.GetBytes($"GET {ApiDocument.UiPath}/scalar.js HTTP/1.1\r\nHost: {system.GatewayAddress.Authority}\r\n{authorization}\r\n"), Ct);
        return await HeadOfAsync(reader);
    }

    /// <summary>The first <paramref name="served"/> answers a <c>200</c>, each after them a <paramref name="refused"/> problem with <c>Retry-After: <paramref name="retryAfter"/></c>.</summary>
    internal static void AssertServedThenRefused(List<string> heads, int served, string refused, int retryAfter)
    {
        Assert.All(heads.Take(served), head => Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal));
        Assert.All(heads.Skip(served), head =>
        {
            Assert.StartsWith($"HTTP/1.1 {refused}", head, StringComparison.Ordinal);
            Assert.Contains($"Retry-After: {retryAfter}\r\n", head, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("application/problem+json", head, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// What <paramref name="socket"/> still gives until the other end closes it (or resets it): how many bytes, and the last 16
    /// of them; a failure when it is still open after the time <see cref="Eventually"/> waits.
    /// </summary>
    internal static async Task<(long Bytes, string End)> UntilClosedAsync(Socket socket)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(Eventually.DefaultTimeout);
        var buffer = new byte[64 * 1024];
        var (bytes, end) = (0L, string.Empty);
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, deadline.Token)) > 0)
            {
                bytes += read;
                end = (end + Encoding.Latin1.GetString(buffer, 0, read))[^Math.Min(16, end.Length + read)..];
            }
        }
        catch (SocketException reset) when (reset.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with a reset: the bytes before it are all there is.
        }

        return (bytes, end);
    }

    /// <summary>The status line and headers of the answer on <paramref name="socket"/>, read a little at a time.</summary>
    internal static async Task<string> HeadOfAsync(Socket socket)
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

/// <summary>
/// The system whose gateway lets anonymous callers have three requests in flight together, none kept for the public's tips
/// (so the tip intake too waits for a cut), and cuts an answer of its own a
/// caller bound by a share takes nothing of for five seconds (<c>RateLimits:SendTimeout</c>): long enough that a few
/// requests sent one after another on a loaded machine all find the first answer still held.
/// </summary>
public sealed class SendTimeoutSystem : WardLinkSystem
{
    public const int AnonymousTogether = 3;

    protected override IReadOnlyDictionary<string, string?> MoreGatewaySettings { get; } = new Dictionary<string, string?>
    {
        ["RateLimits:AnonymousTotalInFlight"] = $"{AnonymousTogether}",
        ["RateLimits:PublicTipsReservedInFlight"] = "0",
        ["RateLimits:SendTimeout"] = "00:00:05",
    };
}

/// <summary>
/// The anonymous callers' share bounds how long its turns are held, not only how many: an answer of the gateway's own its
/// caller stops reading is cut once a write of it has waited <c>RateLimits:SendTimeout</c>, counted in
/// <c>wardlink.gateway.answers_cut</c>, and its turn is free again while the caller's socket stays open (a probe kept every
/// anonymous caller, the public's tip intake among them, at <c>503</c> for as long as 64 sockets that read nothing stayed
/// open).
/// </summary>
[Collection(GatewaySurface.Collection)]
public sealed class SendTimeoutTests(SendTimeoutSystem system) : IClassFixture<SendTimeoutSystem>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_answer_its_caller_stops_reading_is_cut_and_the_public_is_served_again_while_the_socket_stays_open()
    {
        await GatewaySurface.CompleteDocumentAsync(system);
        using var metrics = new HostMetrics(system.GatewayMeters);
        var readers = new List<Socket>();
        try
        {
            var statuses = new List<string>();
            for (var i = 0; i <= SendTimeoutSystem.AnonymousTogether; i++)
            {
                statuses.Add(await SlowReaderTests.AskAndReadNothingAsync(system, readers, IPAddress.Parse($"127.0.0.{60 + i}"), authorization: string.Empty));
            }

            SlowReaderTests.AssertServedThenRefused(statuses, SendTimeoutSystem.AnonymousTogether, "503", retryAfter: 5);

            // Nothing read, every socket open: another anonymous address is served again once the answers are cut, the
            // public's tip intake too.
            using var tipster = system.CreateClientFrom(IPAddress.Parse("127.0.0.70"));
            await Eventually.Get(
                async () => (await tipster.GetAsync(ApiDocument.Path, Ct)).StatusCode == HttpStatusCode.OK ? (object)true : null,
                "an anonymous address served while the readers' sockets are open");
            Assert.Equal(HttpStatusCode.Created, (await tipster.PostAsync("/api/public/tips", RateLimitTests.PublicTip(), Ct)).StatusCode);

            // And each cut answer was closed short of its end (chunked: a whole one ends with its last, empty, chunk), where a
            // whole answer leaves the connection open for the next request; each is counted.
            foreach (var reader in readers.Take(SendTimeoutSystem.AnonymousTogether))
            {
                Assert.False((await SlowReaderTests.UntilClosedAsync(reader)).End.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal));
            }

            // Kestrel closes the connection as the write is cancelled, before the gateway counts the cut: wait for the count.
            double Cut() => metrics.Of("wardlink.gateway.answers_cut").Sum(recorded => recorded.Value);
            await Eventually.Get(() => Task.FromResult(Cut() >= SendTimeoutSystem.AnonymousTogether ? (object)true : null), "every cut counted");
            Assert.Equal(SendTimeoutSystem.AnonymousTogether, Cut());
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }
    }

}
