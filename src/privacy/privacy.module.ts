import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { cryptoConfig } from '../config/crypto.config';
import { FieldCipher } from './field-cipher';

@Global()
@Module({ imports: [ConfigModule.forFeature(cryptoConfig)], providers: [FieldCipher], exports: [FieldCipher] })
export class PrivacyModule {}
