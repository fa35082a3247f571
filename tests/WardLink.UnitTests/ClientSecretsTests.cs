using CsCheck;
using WardLink.Gateway;

namespace WardLink.UnitTests;

public sealed class ClientSecretsTests
{
    [Fact]
    public void A_hashed_secret_verifies_and_nothing_else_does()
    {
        var hash = ClientSecrets.Hash("s3cret-of-the-desk");

        Assert.StartsWith("pbkdf2-sha256:", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", hash, StringComparison.Ordinal);
        Assert.True(ClientSecrets.Verify("s3cret-of-the-desk", hash));
        Assert.False(ClientSecrets.Verify("s3cret-of-the-desK", hash));
        Assert.False(ClientSecrets.Verify("", hash));
    }

    [Fact]
    public void The_same_secret_hashes_differently_each_time()
    {
        Assert.NotEqual(ClientSecrets.Hash("same"), ClientSecrets.Hash("same"));
    }

    [Theory]
    [InlineData("plain-secret")]
    [InlineData("pbkdf2-sha256:50000:not base64:AAAA")]
    [InlineData("pbkdf2-sha256:10:AAAA:AAAA")]
    [InlineData("md5:1:AAAA:AAAA")]
    [InlineData("pbkdf2-sha256:10000::")]
    [InlineData("pbkdf2-sha256:10000:AA==:AA==")]
    public void What_is_not_a_hash_verifies_nothing(string stored)
    {
        Assert.False(ClientSecrets.IsHash(stored));
        Assert.False(ClientSecrets.Verify("plain-secret", stored));
    }

    /// <summary>
    /// A stored hash is the scheme's: a salt of at least 16 bytes and a SHA-256 hash (32). A shorter hash would let one
    /// secret in 2^(8·length) through (an empty one every secret), so the gateway refuses to start with it.
    /// </summary>
    [Fact]
    public void Only_a_salt_of_16_bytes_or_more_and_a_hash_of_32_make_a_hash()
    {
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 40]).Sample((saltLength, hashLength) =>
        {
            var stored = $"pbkdf2-sha256:10000:{Convert.ToBase64String(new byte[saltLength])}:{Convert.ToBase64String(new byte[hashLength])}";

            Assert.Equal(saltLength >= 16 && hashLength == 32, ClientSecrets.IsHash(stored));
            if (hashLength != 32)
            {
                Assert.False(ClientSecrets.Verify("any secret", stored));
            }
        });
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData(null)]
    public void An_unknown_client_costs_the_same_verification_as_a_wrong_secret(string? clientId)
    {
        var registry = new ClientRegistry();
        registry.Clients["desk"] = new ClientSettings { SecretHash = ClientSecrets.Hash("desk-secret"), Role = "police" };
        var verified = new List<string>();
        bool Verify(string secret, string stored)
        {
            verified.Add(stored);
            return ClientSecrets.Verify(secret, stored);
        }

        Assert.Null(registry.Authenticate(clientId, "desk-secret", Verify));
        Assert.Null(registry.Authenticate("desk", "wrong-secret", Verify));

        Assert.Equal([ClientSecrets.UnknownClientHash, registry.Clients["desk"].SecretHash!], verified);
        Assert.True(ClientSecrets.IsHash(ClientSecrets.UnknownClientHash));
        Assert.Equal(CostOf(registry.Clients["desk"].SecretHash!), CostOf(ClientSecrets.UnknownClientHash));

        // The PBKDF2 work a verification does, as the stored form says: its scheme and iterations, its salt's and hash's lengths.
        static (string Scheme, string Iterations, int Salt, int Hash) CostOf(string stored) =>
            stored.Split(':') is [var scheme, var iterations, var salt, var hash]
                ? (scheme, iterations, Convert.FromBase64String(salt).Length, Convert.FromBase64String(hash).Length)
                : throw new FormatException(stored);
    }

    [Fact]
    public void A_known_client_with_its_secret_is_authenticated_after_one_verification()
    {
        var registry = new ClientRegistry();
        var desk = new ClientSettings { SecretHash = ClientSecrets.Hash("desk-secret"), Role = "police" };
        registry.Clients["desk"] = desk;
        var verifications = 0;

        var client = registry.Authenticate("desk", "desk-secret", (secret, stored) => ++verifications > 0 && ClientSecrets.Verify(secret, stored));

        Assert.Same(desk, client);
        Assert.Equal(1, verifications);
    }

    [Fact]
    public void Every_problem_of_the_configured_clients_is_named()
    {
        var registry = new ClientRegistry();
        registry.Clients["ok"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "police" };
        registry.Clients["no-hash"] = new ClientSettings { SecretHash = "a", Role = "police" };
        registry.Clients["bad-role"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "admin" };
        registry.Clients["partner-without-id"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "partner" };
        registry.Clients["police-with-partner"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "police", PartnerId = Guid.NewGuid() };
        registry.Clients["bad-scope"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "auditor", Scopes = ["tips", "weather"] };
        registry.Clients["province-police"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "police", Wards = ["dong-quang"], Provinces = ["thanh-hoa"] };
        registry.Clients["bad-ward"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "police", Wards = ["Dong Quang"] };
        registry.Clients["bad-province"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "auditor", Provinces = ["thanh-hoa-"] };
        registry.Clients["partner-in-two-wards"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "partner", PartnerId = Guid.NewGuid(), Wards = ["dong-quang", "quang-thang"] };
        registry.Clients["partner-of-a-province"] = new ClientSettings { SecretHash = ClientSecrets.Hash("a"), Role = "partner", PartnerId = Guid.NewGuid(), Provinces = ["thanh-hoa"] };

        var problems = registry.Problems().ToList();

        Assert.Equal(9, problems.Count);
        Assert.Contains(problems, problem => problem.Contains("'Dong Quang'", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("'thanh-hoa-'", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Auth:Clients:partner-in-two-wards", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Auth:Clients:partner-of-a-province", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Auth:Clients:no-hash:SecretHash", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Auth:Clients:bad-role:Role", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Auth:Clients:partner-without-id", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Auth:Clients:police-with-partner", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("'weather'", StringComparison.Ordinal));
    }
}
