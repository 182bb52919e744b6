import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { ConsentRenewalController } from './consent-renewal.controller';

/**
 * The renewal route writes a client record (ClientsModule), and ClientsModule needs the notices for
 * registration: the route lives in a module of its own so that no import goes in a circle.
 */
@Module({
  imports: [ClientsModule],
  controllers: [ConsentRenewalController],
})
export class ConsentRenewalModule {}
