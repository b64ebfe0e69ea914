using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class KeyExchangeFactoryTests
{
    [Theory]
    [InlineData(KeyExchangeMethod.MODP_2048, 256)]
    [InlineData(KeyExchangeMethod.MODP_3072, 384)]
    [InlineData(KeyExchangeMethod.MODP_4096, 512)]
    [InlineData(KeyExchangeMethod.MODP_6144, 768)]
    [InlineData(KeyExchangeMethod.MODP_8192, 1024)]
    [InlineData(KeyExchangeMethod.ECP_256, 64)]
    [InlineData(KeyExchangeMethod.ECP_384, 96)]
    [InlineData(KeyExchangeMethod.ECP_521, 132)]
    [InlineData(KeyExchangeMethod.CURVE25519, 32)]
    [InlineData(KeyExchangeMethod.CURVE448, 56)]
    public void Two_parties_agree_on_the_shared_secret(KeyExchangeMethod method, int publicValueLength)
    {
        using var initiator = KeyExchange.Create(method);
        using var responder = KeyExchange.Create(method);

        using var initiatorSecret = initiator.DeriveSharedSecret(responder.PublicValue);
        using var responderSecret = responder.DeriveSharedSecret(initiator.PublicValue);

        Assert.True(KeyExchange.IsSupported(method, allowLegacyGroups: false));
        Assert.Equal(method, initiator.Method);
        Assert.Equal(publicValueLength, initiator.PublicValue.Length);
        Assert.Equal(initiatorSecret.Span.ToArray(), responderSecret.Span.ToArray());
    }

    [Theory]
    [InlineData(KeyExchangeMethod.MODP_1024)]
    [InlineData(KeyExchangeMethod.MODP_1536)]
    public void Legacy_modp_groups_need_an_explicit_opt_in(KeyExchangeMethod method)
    {
        var e = Assert.Throws<NotSupportedException>(() => KeyExchange.Create(method));
        Assert.Contains("legacy", e.Message, StringComparison.Ordinal);
        Assert.Contains("allowLegacyGroups", e.Message, StringComparison.Ordinal);
        Assert.False(KeyExchange.IsSupported(method, allowLegacyGroups: false));

        using var initiator = KeyExchange.Create(method, allowLegacyGroups: true);
        using var responder = KeyExchange.Create(method, allowLegacyGroups: true);
        using var secret = initiator.DeriveSharedSecret(responder.PublicValue);
        Assert.True(KeyExchange.IsSupported(method, allowLegacyGroups: true));
        Assert.Equal(responder.DeriveSharedSecret(initiator.PublicValue).Span.ToArray(), secret.Span.ToArray());
    }

    [Theory]
    [InlineData(KeyExchangeMethod.MODP_768)]
    [InlineData(KeyExchangeMethod.MODP_2048_256)]
    [InlineData(KeyExchangeMethod.ECP_256_BP)]
    [InlineData(KeyExchangeMethod.ML_KEM_768)]
    public void Unsupported_methods_are_refused_by_name(KeyExchangeMethod method)
    {
        var e = Assert.Throws<NotSupportedException>(() => KeyExchange.Create(method, allowLegacyGroups: true));

        Assert.Contains(method.ToString(), e.Message, StringComparison.Ordinal);
        Assert.False(KeyExchange.IsSupported(method, allowLegacyGroups: true));
    }

    [Fact]
    public void A_disposed_key_exchange_derives_nothing()
    {
        var exchange = KeyExchange.Create(KeyExchangeMethod.CURVE25519);
        var peer = exchange.PublicValue.ToArray();
        exchange.Dispose();

        Assert.Throws<ObjectDisposedException>(() => exchange.DeriveSharedSecret(peer));
    }
}
