import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { cryptoConfig } from '../config/crypto.config';
import { ClientDataKeys } from './client-data-keys';
import { UicHasher } from './client-code';
import { FieldCipher } from './field-cipher';
import { KeyRotationService } from './key-rotation.service';

@Global()
@Module({
  imports: [ConfigModule.forFeature(cryptoConfig)],
  providers: [FieldCipher, ClientDataKeys, UicHasher, KeyRotationService],
  exports: [FieldCipher, ClientDataKeys, UicHasher, KeyRotationService],
})
export class PrivacyModule {}
