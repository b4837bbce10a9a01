import Foundation
import Keys

/// `btpow bench --sign` / `--unlock`: what the key layer costs on this machine.
extension BenchCommand {
    struct KeysResult: Encodable {
        let signatures: Int?
        let sign_microseconds: Double?
        let verify_microseconds: Double?
        let unlock_seconds: Double?
        let libsodium: String
    }

    func runKeys() throws {
        let sodium = try loadSodium()
        var signatures: Int?, signMicros: Double?, verifyMicros: Double?, unlockSeconds: Double?
        if sign {
            var seed = [UInt8](repeating: 0, count: 32)
            for i in seed.indices { seed[i] = UInt8.random(in: 0 ... 255) }
            let pair = try SR25519.Keypair(miniSecret: SecretBytes(copying: seed), sodium: sodium)
            let message = [UInt8](repeating: 0x5a, count: 128)
            // Warm up, then sign for about `seconds` (at most 100,000 times), then verify as many.
            for _ in 0 ..< 50 { _ = pair.sign(message) }
            var count = 0
            var last: [UInt8] = []
            let start = DispatchTime.now().uptimeNanoseconds
            let budget = UInt64(min(seconds, 5) * 1e9)
            while count < 100_000 {
                last = pair.sign(message)
                count += 1
                if count % 64 == 0 && DispatchTime.now().uptimeNanoseconds - start > budget { break }
            }
            let signed = DispatchTime.now().uptimeNanoseconds
            var valid = true
            for _ in 0 ..< count { valid = SR25519.verify(signature: last, message: message, publicKey: pair.publicKey.bytes, sodium: sodium) && valid }
            let verified = DispatchTime.now().uptimeNanoseconds
            guard valid else { throw CLIError("a signature did not verify", .noSolution) }
            signatures = count
            signMicros = Double(signed - start) / 1e3 / Double(count)
            verifyMicros = Double(verified - signed) / 1e3 / Double(count)
        }
        if unlock {
            let password = SecretBytes(copying: Array("benchmark password".utf8))
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try Keyfile.deriveKey(password: password, sodium: sodium)
            unlockSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let result = KeysResult(signatures: signatures, sign_microseconds: signMicros, verify_microseconds: verifyMicros,
                                unlock_seconds: unlockSeconds, libsodium: sodium.library)
        if json { try Console.printJSON(result); return }
        if let signMicros, let verifyMicros, let signatures {
            print(String(format: "sr25519 sign   %.1f µs per signature (%d signatures, 128-byte message)", signMicros, signatures))
            print(String(format: "sr25519 verify %.1f µs per signature", verifyMicros))
        }
        if let unlockSeconds {
            print(String(format: "unlock $NACL   %.2f s (Argon2i v1.3, opslimit 8, 512 MiB)", unlockSeconds))
        }
    }
}
