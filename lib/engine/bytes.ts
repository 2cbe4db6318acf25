/** Appends fields to a compact binary encoding: bytes, unsigned integers, length-prefixed text. */
export class ByteWriter {
  readonly #chunks: Buffer[] = []

  byte(value: number): this {
    this.#chunks.push(Buffer.of(value))
    return this
  }

  /** An unsigned integer below 2^48 (epoch milliseconds fit until the year 10889) in 6 bytes. */
  uint48(value: number): this {
    const bytes = Buffer.alloc(6)
    bytes.writeUIntBE(value, 0, 6)
    this.#chunks.push(bytes)
    return this
  }

  /** An unsigned integer in LEB128 (7 bits a byte): 1 byte below 128. */
  varint(value: number): this {
    const bytes: number[] = []
    let rest = value
    do {
      bytes.push((rest & 0x7f) | (rest > 0x7f ? 0x80 : 0))
      rest = Math.floor(rest / 128)
    } while (rest > 0)
    this.#chunks.push(Buffer.from(bytes))
    return this
  }

  /** Bytes of a length the reader knows. */
  raw(bytes: Buffer): this {
    this.#chunks.push(bytes)
    return this
  }

  /** UTF-8 text, prefixed with its byte length. */
  text(value: string): this {
    const bytes = Buffer.from(value, 'utf8')
    return this.varint(bytes.length).raw(bytes)
  }

  done(): Buffer {
    return Buffer.concat(this.#chunks)
  }
}

/** Reads what a {@link ByteWriter} wrote, in the same order. @throws RangeError past the end. */
export class ByteReader {
  #at = 0

  constructor(readonly bytes: Buffer) {}

  byte(): number {
    return this.#take(1)[0] as number
  }

  uint48(): number {
    return this.#take(6).readUIntBE(0, 6)
  }

  varint(): number {
    let value = 0
    for (let shift = 1; ; shift *= 128) {
      const byte = this.byte()
      value += (byte & 0x7f) * shift
      if (byte < 0x80) return value
    }
  }

  raw(length: number): Buffer {
    return this.#take(length)
  }

  text(): string {
    return this.#take(this.varint()).toString('utf8')
  }

  #take(length: number): Buffer {
    if (this.#at + length > this.bytes.length) throw new RangeError('the encoded value ends early')
    this.#at += length
    return this.bytes.subarray(this.#at - length, this.#at)
  }
}
