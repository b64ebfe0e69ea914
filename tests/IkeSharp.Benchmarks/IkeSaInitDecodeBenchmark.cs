using BenchmarkDotNet.Attributes;
using IkeSharp.Protocol;

namespace IkeSharp.Benchmarks;

/// <summary>
/// Decoding an IKE_SA_INIT request shaped like strongSwan 5.9's default proposal (SA with 1
/// proposal of 16 transforms, KE for MODP_3072, 32-octet nonce, five notifies) — the message a
/// responder decodes for every new peer before any authentication, so it must be cheap.
/// </summary>
[MemoryDiagnoser]
public class IkeSaInitDecodeBenchmark
{
    private byte[] _datagram = [];

    [GlobalSetup]
    public void Setup()
    {
        Transform[] transforms =
        [
            Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CBC, 128),
            Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CBC, 192),
            Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CBC, 256),
            Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128),
            Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192),
            Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256),
            Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA1_96),
            Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_256),
            Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_384),
            Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_512),
            Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA1),
            Transform.KeyExchange(KeyExchangeMethod.MODP_3072),
            Transform.KeyExchange(KeyExchangeMethod.ECP_256),
            Transform.KeyExchange(KeyExchangeMethod.ECP_384),
            Transform.KeyExchange(KeyExchangeMethod.CURVE25519),
            Transform.KeyExchange(KeyExchangeMethod.MODP_2048),
        ];
        var message = new IkeMessage(
            IkeHeader.Create(0x1122334455667788, 0, ExchangeType.IKE_SA_INIT, IkeHeaderFlags.Initiator, 0),
            [
                new SecurityAssociationPayload([new Proposal(1, ProtocolId.IKE, default, [.. transforms])]),
                new KeyExchangePayload(KeyExchangeMethod.MODP_3072, new byte[384]),
                new NoncePayload(new byte[32]),
                NotifyPayload.Create(NotifyType.NAT_DETECTION_SOURCE_IP, new byte[20]),
                NotifyPayload.Create(NotifyType.NAT_DETECTION_DESTINATION_IP, new byte[20]),
                NotifyPayload.Create(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
                NotifyPayload.SignatureHashAlgorithms([HashAlgorithm.SHA2_256, HashAlgorithm.SHA2_384, HashAlgorithm.SHA2_512, HashAlgorithm.IDENTITY]),
                NotifyPayload.Create(NotifyType.REDIRECT_SUPPORTED),
            ]);
        _datagram = message.Encode();
    }

    /// <summary>The receive path's first step: header only, for the SPI lookup.</summary>
    [Benchmark]
    public bool ReadHeader() => IkeHeader.TryRead(_datagram, out _, out _);

    [Benchmark(Baseline = true)]
    public IkeMessage Decode() => IkeMessage.Decode(_datagram);

    [Benchmark]
    public object? DecodeAndCheckRules() => MessageRules.Check(IkeMessage.Decode(_datagram));
}
