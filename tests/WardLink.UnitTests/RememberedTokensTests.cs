using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>
/// What <see cref="RememberedTokens"/> remembers is observed by validating again with parameters no
/// token passes (another audience): a remembered token is still valid, one checked again is not.
/// </summary>
public sealed class RememberedTokensTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private static readonly TokenValidationParameters Tips = Parameters(WardLinkAuth.AudienceOf("tips"));

    private static readonly TokenValidationParameters Nobody = Parameters(WardLinkAuth.AudienceOf("nobody"));

    private static TokenValidationParameters Parameters(string audience) => new()
    {
        ValidIssuer = new AuthSettings().Issuer.AbsoluteUri,
        ValidAudience = audience,
        IssuerSigningKey = new AuthSettings { PublicKey = TestAuth.PublicKeyPem }.ValidationKey(),
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = Skew,
    };

    private static DateTimeOffset EndOf(string token) => new DateTimeOffset(new JsonWebToken(token).ValidTo, TimeSpan.Zero) + Skew;

    [Fact]
    public async Task A_valid_token_is_remembered_until_its_expiry_plus_the_clock_skew_then_checked_again()
    {
        var token = TestAuth.Token(WardLinkRoles.Police);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var handler = new RememberedTokens(clock);

        Assert.True((await handler.ValidateTokenAsync(token, Tips)).IsValid);
        Assert.True((await handler.ValidateTokenAsync(token, Nobody)).IsValid);

        clock.Set(EndOf(token) - TimeSpan.FromTicks(1));
        Assert.True((await handler.ValidateTokenAsync(token, Nobody)).IsValid);

        clock.Set(EndOf(token));
        Assert.False((await handler.ValidateTokenAsync(token, Nobody)).IsValid);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task Every_bearer_scheme_remembers_apart_so_a_token_valid_for_one_audience_is_not_let_through_another()
    {
        var settings = new AuthSettings { PublicKey = TestAuth.PublicKeyPem };
        var services = new ServiceCollection();
        var authentication = services.AddAuthentication();
        authentication.AddWardLinkBearer("any", settings, [WardLinkAuth.AudienceOf("tips"), WardLinkAuth.AudienceOf("patrols")]);
        authentication.AddWardLinkBearer("tips", settings, [WardLinkAuth.AudienceOf("tips")]);
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>();
        var (any, tips) = (options.Get("any"), options.Get("tips"));
        var forPatrols = TestAuth.Token(WardLinkRoles.Police, audiences: ["patrols"]);

        var remembering = Assert.IsType<RememberedTokens>(Assert.Single(any.TokenHandlers));
        Assert.True((await remembering.ValidateTokenAsync(forPatrols, any.TokenValidationParameters)).IsValid);
        Assert.Equal(1, remembering.Count);
        Assert.NotSame(remembering, Assert.Single(tips.TokenHandlers));
        Assert.False((await tips.TokenHandlers.Single().ValidateTokenAsync(forPatrols, tips.TokenValidationParameters)).IsValid);
    }

    [Fact]
    public async Task A_token_found_invalid_is_not_remembered()
    {
        var handler = new RememberedTokens(TimeProvider.System);
        var token = TestAuth.Token(WardLinkRoles.Police);
        var tampered = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        var expired = TestAuth.Token(WardLinkRoles.Police, lifetime: TimeSpan.FromMinutes(-5));

        Assert.False((await handler.ValidateTokenAsync(token, Nobody)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(tampered, Tips)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(expired, Tips)).IsValid);
        Assert.Equal(0, handler.Count);

        Assert.True((await handler.ValidateTokenAsync(token, Tips)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(tampered, Tips)).IsValid);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Every_caller_gets_its_own_identity_with_the_tokens_claims()
    {
        var handler = new RememberedTokens(TimeProvider.System);
        var partner = Guid.CreateVersion7();
        var token = TestAuth.Token(WardLinkRoles.Partner, partner);

        var first = await handler.ValidateTokenAsync(token, Tips);
        first.ClaimsIdentity.AddClaim(new Claim(WardLinkClaims.Role, WardLinkRoles.Police));
        var second = await handler.ValidateTokenAsync(token, Tips);

        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal([WardLinkRoles.Partner], second.ClaimsIdentity.FindAll(WardLinkClaims.Role).Select(claim => claim.Value));
        Assert.Equal(partner.ToString(), second.ClaimsIdentity.FindFirst(WardLinkClaims.PartnerId)?.Value);
        Assert.Same(first.SecurityToken, second.SecurityToken);
    }

    [Fact]
    public async Task It_remembers_at_most_its_capacity_dropping_ended_tokens_first()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var handler = new RememberedTokens(clock, capacity: 3);
        var shortLived = TestAuth.Token(WardLinkRoles.Police, lifetime: TimeSpan.FromMinutes(2));
        var tokens = Enumerable.Range(0, 3).Select(index => TestAuth.Token(WardLinkRoles.Police, subject: $"client-{index}")).ToArray();

        Assert.True((await handler.ValidateTokenAsync(shortLived, Tips)).IsValid);
        foreach (var token in tokens[..2])
        {
            Assert.True((await handler.ValidateTokenAsync(token, Tips)).IsValid);
        }

        clock.Set(EndOf(shortLived));
        Assert.True((await handler.ValidateTokenAsync(tokens[2], Tips)).IsValid);
        Assert.Equal(3, handler.Count);
        Assert.True((await handler.ValidateTokenAsync(tokens[0], Nobody)).IsValid);

        var more = TestAuth.Token(WardLinkRoles.Police, subject: "client-3");
        Assert.True((await handler.ValidateTokenAsync(more, Tips)).IsValid);
        Assert.Equal(1, handler.Count);
        Assert.False((await handler.ValidateTokenAsync(tokens[0], Nobody)).IsValid);
    }
}
