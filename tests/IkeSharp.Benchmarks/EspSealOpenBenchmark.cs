using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using IkeSharp.Crypto;
using IkeSharp.Protocol;

namespace IkeSharp.Benchmarks;

/// <summary>
/// The user-space datapath's per-packet crypto: sealing and opening one ESP packet around a
/// 1400-octet inner packet (the TUN MTU), for AES-GCM-128 and AES-256-CBC + HMAC-SHA2-256-128; with
/// the pieces of the CBC suite alone (.NET's one-shot AES-CBC, HMAC-SHA256, a 16-octet random IV)
/// for comparison. Run: dotnet run -c Release --project tests/IkeSharp.Benchmarks -- --filter '*Esp*'
/// </summary>
[MemoryDiagnoser]
public class EspSealOpenBenchmark
{
    private const int PayloadSize = 1400;
    private readonly byte[] _payload = new byte[PayloadSize];
    private readonly byte[] _blocks = new byte[PayloadSize + 8]; // whole AES blocks for the one-shot call
    private readonly byte[] _iv = new byte[16];
    private readonly byte[] _mac = new byte[32];
    private EspProtection _sender = null!;
    private EspProtection _receiver = null!;
    private byte[] _sealed = [];
    private byte[] _packet = [];
    private ulong _sequence;
    private Aes _aes = null!;
    private IncrementalHash _hmac = null!;

    [Params("aes128gcm16", "aes256-sha256")]
    public string Suite { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var suite = Suite == "aes128gcm16"
            ? new ChildSaCipherSuite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.NONE)
            : new ChildSaCipherSuite(EncryptionAlgorithm.ENCR_AES_CBC, 256, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128);
        var (encryption, integrity) = AlgorithmCatalog.GetCombination(suite.Encryption, suite.KeyLengthBits, suite.Integrity);
        var key = RandomNumberGenerator.GetBytes(encryption.KeyMaterialLength);
        var integrityKey = RandomNumberGenerator.GetBytes(integrity.KeyLength);
        _sender = EspProtection.Create(suite, key, integrityKey);
        _receiver = EspProtection.Create(suite, key, integrityKey);
        _packet = new byte[_sender.GetPacketLength(PayloadSize)];
        _sealed = new byte[_packet.Length];
        _sender.Seal(1, 1, _payload, 4, _sealed);
        _aes = Aes.Create();
        _aes.Key = RandomNumberGenerator.GetBytes(32);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, RandomNumberGenerator.GetBytes(32));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _aes.Dispose();
        _hmac.Dispose();
    }

    [Benchmark]
    public int Seal() => _sender.Seal(1, ++_sequence, _payload, 4, _packet);

    /// <summary>Copies the sealed packet first (opening decrypts in place); the copy is ~1 % of the cost.</summary>
    [Benchmark]
    public bool Open()
    {
        _sealed.CopyTo(_packet, 0);
        return _receiver.TryOpen(_packet, 1, out _, out _);
    }

    [Benchmark]
    public int OneShotAesCbcEncrypt() => _aes.EncryptCbc(_blocks, _iv, _blocks, PaddingMode.None);

    [Benchmark]
    public int HmacSha256()
    {
        _hmac.AppendData(_payload);
        return _hmac.GetHashAndReset(_mac);
    }

    [Benchmark]
    public void RandomIv() => RandomNumberGenerator.Fill(_iv);
}
